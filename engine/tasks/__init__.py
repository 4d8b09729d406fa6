"""Human tasks: the derived, indexed rows behind every inbox, and claiming and completing them."""
