"""The counterparts' pages: thin views that parse a form, reach the object through
counterparts.access (404 when it is not readable, 403 when it is but the action is not
allowed), call one service and redirect back to the activity page's section (PRG)."""
