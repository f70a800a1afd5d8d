"""The leather-goods pattern library: piece geometry (catalog), drawing helpers and the DXF writer.

The committed DXF files beside this package are written by ``draw_patterns.py``; see README.md.
"""
