"""System checks registered at start-up (plugin metadata checks live beside the registries)."""
