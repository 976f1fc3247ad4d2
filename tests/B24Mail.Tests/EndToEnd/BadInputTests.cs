using System.Net;
using System.Text;

namespace B24Mail.Tests.EndToEnd;

/// <summary>One server for the hostile inputs below; the tests of a class run one at a time, so each sees only its own change.</summary>
public sealed class BadInputFixture : IAsyncLifetime
{
    public LiveServer Server { get; private set; } = null!;

    // The 1.5 MB values must reach the field rules, not stop at the body limit.
    public async ValueTask InitializeAsync() => Server = await LiveServer.StartAsync("--max-body-bytes", "2000000");

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>What a careless or hostile client sends: never a 500, and nothing stored changes.</summary>
public sealed class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    private static readonly string Huge = new('x', 1_500_000);

    /// <summary>A hostile request to <c>mailservice.update</c> of the preset service 1, and the exact answer it must get.</summary>
    private sealed record Case(Func<LiveServer, string, Task<RestResponse>> Send, HttpStatusCode Status, string? Error, string? Description);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["name of 1.5 MB"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", new { ID = 1, NAME = Huge }), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Name\""),
        ["server of 1.5 MB"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", new { ID = 1, SERVER = Huge }), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Server Address\""),
        ["link of 1.5 MB"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", new { ID = 1, LINK = "https://" + Huge }), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Web Interface Address\""),
        ["icon of 1.5 MB of text"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", new { ID = 1, ICON = Huge }), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Logo\""),
        ["port 1e400"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", """{"ID":1,"PORT":1e400}"""), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Port\""),
        ["sort past 64 bits"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", """{"ID":1,"SORT":99999999999999999999999999}"""), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Sorting\""),
        ["id as a query object"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", """{"ID":{"$gt":0},"NAME":"x"}"""), HttpStatusCode.BadRequest, "ERROR_CORE", "Mail service ID not specified"),
        ["active null, encryption an array"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", """{"ID":1,"ACTIVE":null,"ENCRYPTION":[]}"""), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Activity\"; Invalid value for \"Secure Connection\""),
        ["name with a NUL"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", """{"ID":1,"NAME":"a\u0000b"}"""), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Name\""),
        ["json nested 10,000 deep"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", new string('[', 10_000) + new string(']', 10_000)), HttpStatusCode.BadRequest, "ERROR_CORE", "Mail service ID not specified"),
        ["invalid UTF-8"] = new((s, hook) => s.SendAsync(new HttpRequestMessage(HttpMethod.Post, hook + "mailservice.update")
        {
            Content = new ByteArrayContent([.. "{\"ID\":1,\"NAME\":\""u8, 0xC3, 0x28, .. "\"}"u8]) { Headers = { ContentType = new("application/json") } },
        }), HttpStatusCode.BadRequest, "ERROR_CORE", "Mail service ID not specified"),
        ["lone surrogate"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", "{\"ID\":1,\"NAME\":\"\\ud800\"}"), HttpStatusCode.BadRequest, "ERROR_CORE", "Mail service ID not specified"),
        ["id with SQL"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", """{"ID":"1 OR 1=1","NAME":"x"}"""), HttpStatusCode.BadRequest, "ERROR_CORE", "Mail service ID not specified"),
        ["name 200 levels deep, icon nested"] = new((s, hook) => s.PostFormAsync(hook + "mailservice.update", "ID=1&NAME" + string.Concat(Enumerable.Repeat("[a]", 200)) + "=x&ICON[0][1][2]=y"), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Logo\""),
        ["port and sort as arrays"] = new((s, hook) => s.PostFormAsync(hook + "mailservice.update", "ID=1&PORT[]=1&SORT[x]=2"), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Port\"; Invalid value for \"Sorting\""),
        ["broken percent escapes, port 0"] = new((s, hook) => s.PostFormAsync(hook + "mailservice.update", "ID=1&NAME=%ZZ%&SERVER=%E0%A4%A&PORT=0"), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Port\""),
        ["icon fileData of the wrong types"] = new((s, hook) => s.PostJsonAsync(hook + "mailservice.update", new { ID = 1, ICON = new { fileData = new object[] { new[] { "x" }, 5 } } }), HttpStatusCode.BadRequest, "ERROR_CORE", "Invalid value for \"Logo\""),
        // Only ID and 500 unknown parameters: accepted, and nothing changes.
        ["500 unknown parameters"] = new((s, hook) => s.GetAsync(hook + "mailservice.update?ID=1&" + string.Concat(Enumerable.Range(0, 500).Select(i => $"k{i}=v&"))), HttpStatusCode.OK, null, null),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_hostile_update_gets_its_documented_answer_and_changes_nothing(string name)
    {
        var server = fixture.Server;
        var expected = Cases[name];
        var before = (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetRawText();
        var response = await expected.Send(server, server.Webhook);
        var shown = $"{response.Status}: {response.Raw[..Math.Min(300, response.Raw.Length)]}";
        Assert.True(response.Status == expected.Status, shown);
        if (expected.Error is null)
        {
            Assert.True(response.Result.GetBoolean(), shown);
        }
        else
        {
            Assert.Equal(expected.Error, response.Error);
            Assert.Equal(expected.Description, response.ErrorDescription);
        }
        Assert.Equal(before, (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetRawText());
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_with_a_json_error()
    {
        await using var server = await LiveServer.StartAsync("--max-body-bytes", "100000");
        var big = new string('a', 200_000);
        // As curl does for large bodies, ask first: the server refuses before the body is sent, so the
        // client is not still uploading when the answer comes.
        HttpRequestMessage Post(HttpContent content)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, server.Webhook + "mailservice.add") { Content = content };
            request.Headers.ExpectContinue = true;
            return request;
        }
        foreach (var response in new[]
        {
            await server.SendAsync(Post(new StringContent(System.Text.Json.JsonSerializer.Serialize(new { NAME = big }), Encoding.UTF8, "application/json"))),
            await server.SendAsync(Post(new StringContent("NAME=" + big, Encoding.UTF8, "application/x-www-form-urlencoded"))),
            await server.SendAsync(Post(new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(big)), "ICON", "x.png" } })),
        })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
            Assert.Equal("REQUEST_ENTITY_TOO_LARGE", response.Error);
        }
        MailServiceMethodTests.AssertCoreError(await server.GetAsync(server.Webhook + "mailservice.get?ID=9"), "Mail service not found");
    }

    [Fact]
    public async Task A_malformed_multipart_body_is_a_400_not_a_500()
    {
        await using var server = await LiveServer.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, server.Webhook + "mailservice.add")
        {
            Content = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"NAME\"\r\n\r\nunterminated", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        var response = await server.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("INVALID_REQUEST", response.Error);
    }

    [Theory]
    [InlineData("/rest/")]
    [InlineData("/rest")]
    [InlineData("/rest/a/b")]
    [InlineData("/rest/1/2/3/4")]
    [InlineData("/rest/.json")]
    public async Task Paths_that_name_no_method_are_404(string path)
    {
        await using var server = await LiveServer.StartAsync();
        var response = await server.GetAsync(server.HttpsBase + path);
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("ERROR_METHOD_NOT_FOUND", response.Error);
    }
}
