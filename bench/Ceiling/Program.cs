// The ceiling: a bare Kestrel minimal API that answers every request with the bytes b24mail's
// mailservice.get answered, read from the file given as the first argument. What b24mail does beyond
// this (routing, parameters, auth, SQLite, the envelope) is what the benchmark's ratios measure.
var body = await File.ReadAllBytesAsync(args[0]);
var builder = WebApplication.CreateSlimBuilder(args[1..]);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapMethods("/{**path}", ["GET", "POST"], (HttpContext http) => Results.Bytes(body, "application/json; charset=utf-8"));
app.Run();
