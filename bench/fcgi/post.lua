-- wrk script: POST a small generate_amazon_content payload.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"marketplace":"US","products":[{"sku":"MUG-001","title":"Stoneware mug","brand":"Acme","features":["11 oz","dishwasher safe"]}]}'
