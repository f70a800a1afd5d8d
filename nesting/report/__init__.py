"""What a layout is worth.

Metrics per hide and product (``metrics``, ``products``) and the leather left over (``remnants``).
"""
