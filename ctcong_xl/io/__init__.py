"""The file doors: reading incoming workbooks, writing the master and the templates."""
