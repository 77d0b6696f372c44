# worker: filled in by its component
