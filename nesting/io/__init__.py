"""Every file format lives here; the model never parses or writes files itself."""
