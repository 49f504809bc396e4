-- the seven from docs/examples (IMAGE) as a raw image/png body; used by one-client.sh and run-all.sh
local f = io.open(os.getenv("IMAGE"), "rb"); local png = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/png"
wrk.body = png
