using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace B24Mail.Tests.EndToEnd;

/// <summary>URL forms, the four ways parameters arrive, and the envelope (docs/decisions.md #15, #16, #18, #22).</summary>
public sealed class TransportTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LiveServer Server => fixture.Server;

    private string WebhookPath => new Uri(Server.Webhook).AbsolutePath.TrimEnd('/');

    [Theory]
    [InlineData("{0}/mailservice.fields")]
    [InlineData("{0}/mailservice.fields.json")]
    [InlineData("{0}/mailservice.fields/")]
    [InlineData("{0}/mailservice.fields.json/")]
    [InlineData("{0}//mailservice.fields")]
    [InlineData("{0}/MailService.Fields")]
    [InlineData("{0}/MAILSERVICE.FIELDS.JSON")]
    public async Task Every_url_form_reaches_the_method(string template)
    {
        var response = await Server.GetAsync(Server.HttpsBase + string.Format(CultureInfo.InvariantCulture, template, WebhookPath));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("Logo", response.Result.GetProperty("ICON").GetString());
        Assert.Equal("application/json; charset=utf-8", response.Message.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Urlencoded_body_with_php_brackets_and_plus_as_space()
    {
        var response = await Server.PostFormAsync(Server.Webhook + "mailservice.add", "NAME=Corp+IMAP%21&SERVER=IMAP.Corp.Example&PORT=993&ENCRYPTION=Y&extra%5Bnested%5D%5B%5D=1");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var row = await Server.GetServiceAsync(response.Result.GetInt64());
        Assert.Equal("Corp IMAP!", row.GetProperty("NAME").GetString());
        Assert.Equal("imap.corp.example", row.GetProperty("SERVER").GetString());
        Assert.Equal("993", row.GetProperty("PORT").GetString());
    }

    [Fact]
    public async Task Get_with_parameters_in_the_query_string_can_write()
    {
        var response = await Server.GetAsync(Server.Webhook + "mailservice.add?NAME=Via%20GET&SORT=42&ACTIVE=y");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var row = await Server.GetServiceAsync(response.Result.GetInt64());
        Assert.Equal("Via GET", row.GetProperty("NAME").GetString());
        Assert.Equal("42", row.GetProperty("SORT").GetString());
    }

    [Fact]
    public async Task Multipart_fields_are_parameters()
    {
        using var content = new MultipartFormDataContent
        {
            { new StringContent("Multi part"), "NAME" },
            { new StringContent("143"), "PORT" },
            { new StringContent("N"), "ENCRYPTION" },
        };
        var response = await Server.PostMultipartAsync(Server.Webhook + "mailservice.add", content);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var row = await Server.GetServiceAsync(response.Result.GetInt64());
        Assert.Equal("Multi part", row.GetProperty("NAME").GetString());
        Assert.Equal("143", row.GetProperty("PORT").GetString());
    }

    [Fact]
    public async Task Query_and_body_merge_and_the_body_wins()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add?NAME=FromQuery&SORT=5&PORT=110", """{"NAME":"FromBody","PORT":995}""");
        var row = await Server.GetServiceAsync(response.Result.GetInt64());
        Assert.Equal("FromBody", row.GetProperty("NAME").GetString());
        Assert.Equal("995", row.GetProperty("PORT").GetString());
        Assert.Equal("5", row.GetProperty("SORT").GetString());
    }

    [Fact]
    public async Task Json_is_read_only_for_the_json_content_type()
    {
        // A JSON body sent as text/plain is parsed as urlencoded, so NAME is not seen.
        var request = new HttpRequestMessage(HttpMethod.Post, Server.Webhook + "mailservice.add") { Content = new StringContent("""{"NAME":"x"}""", Encoding.UTF8, "text/plain") };
        MailServiceMethodTests.AssertCoreError(await Server.SendAsync(request), "Required field \"Name\" not filled");
        // application/json with parameters after ';' is still JSON.
        var withCharset = new HttpRequestMessage(HttpMethod.Post, Server.Webhook + "mailservice.add") { Content = new StringContent("""{"NAME":"charset"}""", Encoding.UTF8, "application/json") };
        Assert.Equal(HttpStatusCode.OK, (await Server.SendAsync(withCharset)).Status);
    }

    [Theory]
    [InlineData("{\"ID\":")]
    [InlineData("not json at all")]
    [InlineData("\"ID\"")]
    [InlineData("[1,2")]
    public async Task Invalid_json_means_no_parameters(string body)
    {
        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(Server.Webhook + "mailservice.get", body), "Mail service ID not specified");
        // The query string still counts.
        Assert.Equal(HttpStatusCode.OK, (await Server.PostJsonAsync(Server.Webhook + "mailservice.get?ID=1", body)).Status);
    }

    [Fact]
    public async Task Success_has_result_and_the_full_time_block()
    {
        var hook = await Server.AddWebhookAsync(1, "mailservice");
        var response = await Server.GetAsync(hook + "mailservice.get?ID=1");
        Assert.Equal(["result", "time"], response.Json.EnumerateObject().Select(p => p.Name));
        var time = response.Json.GetProperty("time");
        Assert.Equal(["start", "finish", "duration", "processing", "date_start", "date_finish", "operating_reset_at", "operating"], time.EnumerateObject().Select(p => p.Name));
        var start = time.GetProperty("start").GetDouble();
        var finish = time.GetProperty("finish").GetDouble();
        Assert.InRange(start, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.True(finish >= start);
        Assert.InRange(time.GetProperty("duration").GetDouble(), finish - start - 2e-6, finish - start + 2e-6);
        Assert.InRange(time.GetProperty("processing").GetDouble(), 0, time.GetProperty("duration").GetDouble() + 3e-6);
        var pattern = new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$");
        Assert.Matches(pattern, time.GetProperty("date_start").GetString());
        Assert.Matches(pattern, time.GetProperty("date_finish").GetString());
        Assert.Equal((long)Math.Floor(start), DateTimeOffset.Parse(time.GetProperty("date_start").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeSeconds());
        Assert.Equal(JsonValueKind.Number, time.GetProperty("operating_reset_at").ValueKind);
        Assert.Equal((long)Math.Floor(start) + 600, time.GetProperty("operating_reset_at").GetInt64());
        // The first call of this method by this webhook: only its own time is counted; the next adds to it.
        var first = time.GetProperty("operating").GetDouble();
        Assert.InRange(first, 0, time.GetProperty("processing").GetDouble() + 1e-5);
        var second = (await Server.GetAsync(hook + "mailservice.get?ID=1")).Json.GetProperty("time");
        // Each figure is rounded to microseconds, so the sum may differ from the total by one or two of them.
        var expected = first + second.GetProperty("processing").GetDouble();
        Assert.InRange(second.GetProperty("operating").GetDouble(), expected - 2e-6, expected + 2e-6);
        Assert.Equal(time.GetProperty("operating_reset_at").GetInt64(), second.GetProperty("operating_reset_at").GetInt64());
    }

    [Fact]
    public async Task Xml_suffix_answers_in_xml()
    {
        var response = await Server.GetAsync(Server.Webhook + "mailservice.get.xml?ID=1");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("text/xml; charset=utf-8", response.Message.Content.Headers.ContentType!.ToString());
        var xml = System.Xml.Linq.XDocument.Parse(response.Raw);
        Assert.Equal("response", xml.Root!.Name.LocalName);
        Assert.Equal("gmail", xml.Root.Element("result")!.Element("NAME")!.Value);
        Assert.Equal("", xml.Root.Element("result")!.Element("ICON")!.Value);
        Assert.NotNull(xml.Root.Element("time")!.Element("operating_reset_at"));

        var error = await Server.GetAsync(Server.Webhook + "mailservice.get.xml?ID=987654");
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        var errorXml = System.Xml.Linq.XDocument.Parse(error.Raw);
        Assert.Equal("ERROR_CORE", errorXml.Root!.Element("error")!.Value);
        Assert.Equal("Mail service not found", errorXml.Root.Element("error_description")!.Value);

        var list = System.Xml.Linq.XDocument.Parse((await Server.GetAsync(Server.Webhook + "mailservice.list.xml")).Raw);
        Assert.True(list.Root!.Element("result")!.Elements("item").Count() >= 8);
    }

    [Fact]
    public async Task Cors_headers_on_every_response_and_a_preflight()
    {
        var response = await Server.GetAsync(Server.Webhook + "mailservice.fields");
        Assert.Equal("*", response.Message.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("nosniff", response.Message.Headers.GetValues("X-Content-Type-Options").Single());
        var error = await Server.GetAsync(Server.HttpsBase + "/rest/no.method");
        Assert.Equal("*", error.Message.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var preflight = new HttpRequestMessage(HttpMethod.Options, Server.HttpsBase + "/rest/mailservice.list");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        var answer = await Server.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("POST", answer.Message.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("content-type", answer.Message.Headers.GetValues("Access-Control-Allow-Headers").Single());
    }

    [Fact]
    public async Task Empty_maps_are_written_as_empty_json_arrays_and_values_as_strings()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Shape", PORT = 993, SORT = 5 });
        var raw = (await Server.GetAsync(Server.Webhook + "mailservice.get?ID=" + id)).Raw;
        Assert.Contains($"\"ID\":\"{id}\"", raw);
        Assert.Contains("\"PORT\":\"993\"", raw);
        Assert.Contains("\"SORT\":\"5\"", raw);
    }

    [Fact]
    public async Task Health_answers_once_the_server_accepts_calls()
    {
        var response = await Server.Client.GetAsync(Server.HttpBase + "/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
