"""``python -m fileorganizer``."""

from fileorganizer.cli import main

if __name__ == "__main__":
    main()
