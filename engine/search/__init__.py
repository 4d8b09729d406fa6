"""Finding cases: the criteria of the other domains combined into one search, and the searches people save."""
