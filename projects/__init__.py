"""重大项目 (三定四推五落实): register, monthly investment reports, stages, problem lists."""
