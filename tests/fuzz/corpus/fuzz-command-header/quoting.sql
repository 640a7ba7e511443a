-- param: a string="x \"y\""
-- param: b enum( p | q )=p
SELECT `:a``` , "::b", :a, :b -- :c
/* ? */;
