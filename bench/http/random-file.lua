-- wrk script: each request asks for a random file of the list in files.txt (the master and the
-- extension file of every phone), as a boot storm of many phones does.
local files = {}
for line in io.lines(os.getenv("FILES") or "files.txt") do
  files[#files + 1] = line
end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/" .. files[math.random(#files)], { ["User-Agent"] = "FileTransport PolycomVVX-VVX_400-UA/5.9.7.4477 Type/Application" })
end
