-- summary: Uses a placeholder it never declares
-- param: customer string
SELECT * FROM usage WHERE customer = :custmer
