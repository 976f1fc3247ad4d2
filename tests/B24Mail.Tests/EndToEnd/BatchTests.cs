using System.Net;
using System.Text.Json;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Values;
using Microsoft.Extensions.DependencyInjection;

namespace B24Mail.Tests.EndToEnd;

/// <summary>batch (docs/protocol.md §7, docs/decisions.md #19, docs/protocol.md §7.4), through the same dispatcher as single calls.</summary>
public sealed class BatchTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LiveServer Server => fixture.Server;

    private static readonly string[] ResultMaps = ["result", "result_error", "result_total", "result_next", "result_time"];

    private static string Enc(string s) => Uri.EscapeDataString(s);

    private static void AssertChain(RestResponse response, string name)
    {
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var batch = response.Result;
        Assert.Equal(ResultMaps, batch.EnumerateObject().Select(p => p.Name));
        var id = batch.GetProperty("result").GetProperty("new").GetInt64();
        var row = batch.GetProperty("result").GetProperty("chk");
        Assert.Equal(id.ToString(), row.GetProperty("ID").GetString());
        Assert.Equal(name, row.GetProperty("NAME").GetString());
        Assert.Equal("imap.corp.example", row.GetProperty("SERVER").GetString());
        var error = batch.GetProperty("result_error").GetProperty("bad");
        Assert.Equal("ERROR_CORE", error.GetProperty("error").GetString());
        Assert.Equal("Mail service not found", error.GetProperty("error_description").GetString());
        Assert.Equal("[]", batch.GetProperty("result_total").GetRawText());
        Assert.Equal("[]", batch.GetProperty("result_next").GetRawText());
        Assert.Equal(["new", "chk"], batch.GetProperty("result_time").EnumerateObject().Select(p => p.Name));
        Assert.Equal(8, batch.GetProperty("result_time").GetProperty("chk").EnumerateObject().Count());
        Assert.Equal(8, response.Json.GetProperty("time").EnumerateObject().Count());
    }

    [Fact]
    public async Task A_chain_from_add_to_get_as_json()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "batch", """
            {"halt":0,"cmd":{"new":"mailservice.add?NAME=Json%20Corp&SERVER=IMAP.corp.example","chk":"mailservice.get?ID=$result[new]","bad":"mailservice.get?ID=999999"}}
            """);
        AssertChain(response, "Json Corp");
    }

    [Fact]
    public async Task A_chain_from_add_to_get_as_urlencoded_with_double_encoded_commands()
    {
        var body = "halt=0"
            + "&cmd%5Bnew%5D=" + Enc("mailservice.add?NAME=" + Enc("Form & Corp") + "&SERVER=imap.corp.example")
            + "&cmd%5Bchk%5D=" + Enc("mailservice.get?ID=$result[new]")
            + "&cmd%5Bbad%5D=" + Enc("mailservice.get?ID=999999");
        AssertChain(await Server.PostFormAsync(Server.Webhook + "batch", body), "Form & Corp");
    }

    [Fact]
    public async Task A_chain_from_add_to_get_as_get()
    {
        var query = "cmd[new]=" + Enc("mailservice.add?NAME=Get+Corp&SERVER=imap.corp.example")
            + "&cmd[chk]=" + Enc("mailservice.get?ID=$result[new]")
            + "&cmd[bad]=" + Enc("mailservice.get?ID=999999");
        AssertChain(await Server.GetAsync(Server.Webhook + "batch?" + query), "Get Corp");
    }

    [Fact]
    public async Task List_commands_give_a_json_list_and_a_gap_gives_an_object()
    {
        var clean = await Server.PostJsonAsync(Server.Webhook + "batch", """{"cmd":["mailservice.fields","mailservice.get?ID=1"]}""");
        Assert.Equal(JsonValueKind.Array, clean.Result.GetProperty("result").ValueKind);
        Assert.Equal(JsonValueKind.Array, clean.Result.GetProperty("result_time").ValueKind);
        Assert.Equal("[]", clean.Result.GetProperty("result_error").GetRawText());

        var gap = await Server.PostJsonAsync(Server.Webhook + "batch", """{"cmd":["mailservice.fields","mailservice.get?ID=999999","mailservice.get?ID=1"]}""");
        var result = gap.Result.GetProperty("result");
        Assert.Equal(JsonValueKind.Object, result.ValueKind);
        Assert.Equal(["0", "2"], result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["1"], gap.Result.GetProperty("result_error").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Halt_stops_after_the_first_failure_and_upper_case_names_work()
    {
        var halted = await Server.PostJsonAsync(Server.Webhook + "batch", """{"HALT":1,"CMD":{"a":"mailservice.fields","b":"mailservice.get?ID=999999","c":"mailservice.fields"}}""");
        Assert.Equal(["a"], halted.Result.GetProperty("result").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["b"], halted.Result.GetProperty("result_error").EnumerateObject().Select(p => p.Name));

        var running = await Server.PostFormAsync(Server.Webhook + "batch", "halt=0&cmd[a]=mailservice.fields&cmd[b]=mailservice.get%3FID%3D999999&cmd[c]=mailservice.fields");
        Assert.Equal(["a", "c"], running.Result.GetProperty("result").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Commands_past_the_fiftieth_get_the_length_error()
    {
        var commands = Enumerable.Range(0, 55).ToDictionary(i => "c" + i, _ => "mailservice.fields");
        var response = await Server.PostJsonAsync(Server.Webhook + "batch", new { cmd = commands });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(50, response.Result.GetProperty("result").EnumerateObject().Count());
        var errors = response.Result.GetProperty("result_error");
        Assert.Equal(["c50", "c51", "c52", "c53", "c54"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ERROR_BATCH_LENGTH_EXCEEDED", errors.GetProperty("c50").GetProperty("error").GetString());
        Assert.Equal("Max batch length exceeded", errors.GetProperty("c50").GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task A_nested_batch_an_unknown_method_and_a_missing_scope_fail_inside_a_200()
    {
        var hook = await Server.AddWebhookAsync(1, "user");
        var response = await Server.PostJsonAsync(hook + "batch", """{"cmd":{"nested":"batch?cmd[x]=mailservice.fields","unknown":"no.such.method","scope":"mailservice.list","me":"user.current"}}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var errors = response.Result.GetProperty("result_error");
        Assert.Equal("ERROR_BATCH_METHOD_NOT_ALLOWED", errors.GetProperty("nested").GetProperty("error").GetString());
        Assert.Equal("Method is not allowed for batch usage", errors.GetProperty("nested").GetProperty("error_description").GetString());
        Assert.Equal("ERROR_METHOD_NOT_FOUND", errors.GetProperty("unknown").GetProperty("error").GetString());
        Assert.Equal("insufficient_scope", errors.GetProperty("scope").GetProperty("error").GetString());
        Assert.Equal("", errors.GetProperty("scope").GetProperty("error_description").GetString());
        Assert.Equal("1", response.Result.GetProperty("result").GetProperty("me").GetProperty("ID").GetString());
    }

    [Fact]
    public async Task Inner_commands_keep_the_callers_rights()
    {
        var userId = await Server.AddUserAsync(admin: false);
        var hook = await Server.AddWebhookAsync(userId, "mailservice");
        var response = await Server.PostJsonAsync(hook + "batch", """{"cmd":{"add":"mailservice.add?NAME=x","list":"mailservice.list"}}""");
        Assert.Equal("Access denied", response.Result.GetProperty("result_error").GetProperty("add").GetProperty("error_description").GetString());
        Assert.True(response.Result.GetProperty("result").GetProperty("list").GetArrayLength() >= 8);
    }

    [Fact]
    public async Task Embedded_references_take_only_strings_and_a_walk_stops_at_a_missing_key()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "batch", """
            {"cmd":{
              "g":"mailservice.get?ID=1",
              "copy":"mailservice.add?NAME=Copy of $result[g][NAME]&SERVER=$result[g][SERVER]&PORT=$result[g][PORT]",
              "intInText":"mailservice.add?NAME=x$result[copy]y",
              "bad":"mailservice.get?ID=999999",
              "err":"mailservice.add?NAME=err $error[bad][error]",
              "missing":"mailservice.add?NAME=$result[g][NOPE]",
              "caseless":"mailservice.get?ID=$RESULT[copy]",
              "time":"mailservice.add?NAME=$time[g][start]"
            }}
            """);
        var result = response.Result.GetProperty("result");
        var copyId = result.GetProperty("copy").GetInt64();
        var copy = await Server.GetServiceAsync(copyId);
        Assert.Equal("Copy of gmail", copy.GetProperty("NAME").GetString());
        Assert.Equal("imap.gmail.com", copy.GetProperty("SERVER").GetString());
        Assert.Equal("993", copy.GetProperty("PORT").GetString());
        // An integer inside a longer string is left as written.
        Assert.Equal("x$result[copy]y", (await Server.GetServiceAsync(result.GetProperty("intInText").GetInt64())).GetProperty("NAME").GetString());
        Assert.Equal("err ERROR_CORE", (await Server.GetServiceAsync(result.GetProperty("err").GetInt64())).GetProperty("NAME").GetString());
        // The walk stopped at the row, a whole array, which is no name.
        Assert.Equal("Invalid value for \"Name\"", response.Result.GetProperty("result_error").GetProperty("missing").GetProperty("error_description").GetString());
        Assert.Equal(copyId.ToString(), result.GetProperty("caseless").GetProperty("ID").GetString());
        var start = response.Result.GetProperty("result_time").GetProperty("g").GetProperty("start").GetDouble();
        var timeName = (await Server.GetServiceAsync(result.GetProperty("time").GetInt64())).GetProperty("NAME").GetString();
        Assert.Equal(start, double.Parse(timeName!, System.Globalization.CultureInfo.InvariantCulture), 6);
    }

    [Fact]
    public async Task A_batch_reads_its_own_writes()
    {
        var id = await Server.AddServiceAsync(new { NAME = "before" });
        var response = await Server.PostJsonAsync(Server.Webhook + "batch", $$$"""
            {"halt":1,"cmd":{"a":"mailservice.get?ID={{{id}}}","b":"mailservice.update?ID={{{id}}}&NAME=after","c":"mailservice.get?ID={{{id}}}",
             "l1":"mailservice.list","d":"mailservice.update?ID={{{id}}}&ACTIVE=N","l2":"mailservice.list","x":"mailservice.delete?ID={{{id}}}","y":"mailservice.get?ID={{{id}}}"}}
            """);
        var result = response.Result.GetProperty("result");
        Assert.Equal("before", result.GetProperty("a").GetProperty("NAME").GetString());
        Assert.Equal("after", result.GetProperty("c").GetProperty("NAME").GetString());
        Assert.Contains(result.GetProperty("l1").EnumerateArray(), r => r.GetProperty("ID").GetString() == id.ToString());
        Assert.DoesNotContain(result.GetProperty("l2").EnumerateArray(), r => r.GetProperty("ID").GetString() == id.ToString());
        Assert.Equal("Mail service not found", response.Result.GetProperty("result_error").GetProperty("y").GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Odd_batches_still_answer_200_with_php_shapes()
    {
        foreach (var body in new[] { "{}", """{"cmd":[]}""", """{"cmd":"mailservice.fields"}""", """{"cmd":{"n":5,"s":"mailservice.fields"}}""" })
        {
            var response = await Server.PostJsonAsync(Server.Webhook + "batch", body);
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.Equal(ResultMaps, response.Result.EnumerateObject().Select(p => p.Name));
            Assert.Equal("[]", response.Result.GetProperty("result_error").GetRawText());
        }
        var skipped = await Server.PostJsonAsync(Server.Webhook + "batch", """{"cmd":{"n":5,"s":"mailservice.fields"}}""");
        Assert.Equal(["s"], skipped.Result.GetProperty("result").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_batch_itself_fails_with_the_normal_envelope()
    {
        var response = await Server.GetAsync(Server.HttpsBase + "/rest/1/wrongsecret00000/batch?cmd[a]=mailservice.fields");
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("INVALID_CREDENTIALS", response.Error);
    }

    /// <summary>A basic method that answers with the names of the parameters it was given, so a test can see what reached a handler.</summary>
    private sealed class EchoScope : IRestScope
    {
        public void Register(MethodRegistry registry) =>
            registry.Add(new RestMethod("test.echo", [], context => ValueTask.FromResult<object?>(PhpArray.List([.. context.Params.Keys]))));
    }

    [Fact]
    public async Task Credentials_inside_a_batch_command_never_reach_the_method()
    {
        await using var server = await LiveServer.StartAsync(LiveServer.NewDataDir(), [],
            configure: builder => builder.Services.AddSingleton<IRestScope, EchoScope>());
        var single = await server.GetAsync(server.Webhook + "test.echo?x=1");
        Assert.Equal("""["x"]""", single.Result.GetRawText());

        var response = await server.PostJsonAsync(server.Webhook + "batch",
            """{"cmd":{"e":"test.echo?x=1&auth=other&access_token=other&auth_connector=c&y=2"}}""");
        Assert.Equal("""["x","y"]""", response.Result.GetProperty("result").GetProperty("e").GetRawText());
    }

    [Fact]
    public async Task Batch_works_with_an_oauth_token_and_an_inner_auth_does_not_replace_it()
    {
        var app = await Server.AddAppAsync(await Server.PortalAsync(), "mailservice");
        var token = (await Server.LoginAsync(app, 1)).GetProperty("access_token").GetString()!;
        var response = await Server.PostJsonAsync(Server.HttpsBase + "/rest/batch", $$$"""{"auth":"{{{token}}}","cmd":{"a":"mailservice.get?ID=1&auth=somethingelse"}}""");
        Assert.Equal("gmail", response.Result.GetProperty("result").GetProperty("a").GetProperty("NAME").GetString());
    }
}
