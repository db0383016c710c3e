-- +goose Up
-- The company page lists a company's top pages in a period: company_pages
-- is keyed by page for the feed's "visited page" filter, so without this
-- index the company page would read the whole table.
CREATE INDEX company_pages_company ON company_pages(company_id, day, page_id, pageviews);

-- +goose Down
DROP INDEX company_pages_company;
