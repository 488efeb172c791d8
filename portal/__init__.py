"""民生实事 public portal: what the office publishes for citizens, nothing internal."""
