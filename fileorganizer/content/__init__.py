"""Reading what is inside files: content type, EXIF, text, hashes, duplicates.

Pure functions over paths: nothing here prints, changes the working directory
or writes to disk. The filters in :mod:`fileorganizer.filters` are thin layers
over these functions.
"""
