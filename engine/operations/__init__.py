"""Operations on running cases: lists with filters, incidents and retries, suspend/resume/cancel, heatmap."""
