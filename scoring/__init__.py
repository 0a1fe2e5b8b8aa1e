"""The domain of the 双创 demonstration-base service: rules, persistence and use cases."""
