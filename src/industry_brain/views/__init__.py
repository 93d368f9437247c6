"""Cross-domain views, above the domains: what one page or route gathers from several of them.

An enterprise's profile (views.profile) brings together its master record, its figures as the
departments sent them (ingest), its evaluations (evaluation) and what later domains add; the
scoped enterprise queries (views.queries) answer the API's enterprise routes. No domain
imports from here; the web pages, the API and the reports do.
"""
