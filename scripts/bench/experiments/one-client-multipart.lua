-- the seven from docs/examples (IMAGE) as a multipart file part; used by one-client.sh and run-all.sh
local f = io.open(os.getenv("IMAGE"), "rb"); local png = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=XyZ"
wrk.body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seven.png\"\r\nContent-Type: image/png\r\n\r\n" .. png .. "\r\n--XyZ--\r\n"
