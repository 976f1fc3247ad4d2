using System.Net;
using System.Text;

namespace B24Mail.Tests.EndToEnd;

/// <summary>What a careless or hostile client sends: never a 500, and nothing stored changes.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task Hostile_requests_get_documented_errors_and_leave_the_data_alone()
    {
        await using var server = await LiveServer.StartAsync("--max-body-bytes", "2000000");
        var before = (await server.GetAsync(server.Webhook + "mailservice.list")).Result.GetRawText();
        var hook = server.Webhook;
        var huge = new string('x', 1_500_000);
        var requests = new Func<Task<RestResponse>>[]
        {
            () => server.PostJsonAsync(hook + "mailservice.update", new { ID = 1, NAME = huge }),
            () => server.PostJsonAsync(hook + "mailservice.update", new { ID = 1, SERVER = huge }),
            () => server.PostJsonAsync(hook + "mailservice.update", new { ID = 1, LINK = "https://" + huge }),
            () => server.PostJsonAsync(hook + "mailservice.update", new { ID = 1, ICON = huge }),
            () => server.PostJsonAsync(hook + "mailservice.update", """{"ID":1,"PORT":1e400}"""),
            () => server.PostJsonAsync(hook + "mailservice.update", """{"ID":1,"SORT":99999999999999999999999999}"""),
            () => server.PostJsonAsync(hook + "mailservice.update", """{"ID":{"$gt":0},"NAME":"x"}"""),
            () => server.PostJsonAsync(hook + "mailservice.update", """{"ID":1,"ACTIVE":null,"ENCRYPTION":[]}"""),
            () => server.PostJsonAsync(hook + "mailservice.update", """{"ID":1,"NAME":"a\u0000b"}"""),
            () => server.PostJsonAsync(hook + "mailservice.update", new string('[', 10_000) + new string(']', 10_000)),
            () => server.SendAsync(new HttpRequestMessage(HttpMethod.Post, hook + "mailservice.update")
            {
                Content = new ByteArrayContent([.. "{\"ID\":1,\"NAME\":\""u8, 0xC3, 0x28, .. "\"}"u8]) { Headers = { ContentType = new("application/json") } },
            }),
            () => server.PostJsonAsync(hook + "mailservice.update", "{\"ID\":1,\"NAME\":\"\\ud800\"}"),
            () => server.PostJsonAsync(hook + "mailservice.update", """{"ID":"1 OR 1=1","NAME":"x"}"""),
            () => server.PostFormAsync(hook + "mailservice.update", "ID=1&NAME" + string.Concat(Enumerable.Repeat("[a]", 200)) + "=x&ICON[0][1][2]=y"),
            () => server.PostFormAsync(hook + "mailservice.update", "ID=1&PORT[]=1&SORT[x]=2"),
            () => server.PostFormAsync(hook + "mailservice.update", "ID=1&NAME=%ZZ%&SERVER=%E0%A4%A&PORT=0"),
            () => server.PostJsonAsync(hook + "mailservice.update", new { ID = 1, ICON = new { fileData = new object[] { new[] { "x" }, 5 } } }),
            () => server.GetAsync(hook + "mailservice.update?ID=1&" + string.Concat(Enumerable.Range(0, 500).Select(i => $"k{i}=v&"))),
        };
        for (var i = 0; i < requests.Length; i++)
        {
            var response = await requests[i]();
            var shown = $"request {i}: {response.Status}: {response.Raw[..Math.Min(300, response.Raw.Length)]}";
            if (i == requests.Length - 1)
            {
                // Only ID and 500 unknown parameters: accepted, and nothing changes.
                Assert.True(response.Status == HttpStatusCode.OK, shown);
                continue;
            }
            Assert.True(response.Status == HttpStatusCode.BadRequest, shown);
            Assert.Equal("ERROR_CORE", response.Error);
            Assert.False(string.IsNullOrEmpty(response.ErrorDescription), shown);
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
