"""The portal's own date and number formats, over Django's for each language (FORMAT_MODULE_PATH).

Only what differs from Django's is here; accounts/formatting.py says what each kind looks like.
"""
