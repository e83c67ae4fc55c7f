"""Long work run off the request path: jobs with progress, their report kept."""
