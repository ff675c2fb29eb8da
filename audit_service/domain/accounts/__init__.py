"""Who someone is and what they may do, as pure Python: roles from a provider's claims."""
