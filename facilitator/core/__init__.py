"""Request plumbing shared by every feature: database set-up, static files, proxy,
rate-limit storage, security headers, templating and error pages. It imports no feature."""
