using System.Net;
using System.Text.Json;

namespace B24Mail.Tests.EndToEnd;

/// <summary>The six mailservice methods over HTTPS webhooks, with every rule of docs/decisions.md #1–#12.</summary>
public sealed class MailServiceMethodTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LiveServer Server => fixture.Server;

    private static readonly string[] ReadKeys =
    [
        "ID", "SITE_ID", "ACTIVE", "SORT", "NAME", "SERVER", "PORT", "ENCRYPTION", "LINK", "ICON",
        "SMTP_SERVER", "SMTP_PORT", "SMTP_LOGIN_AS_IMAP", "SMTP_PASSWORD_AS_IMAP", "SMTP_ENCRYPTION", "UPLOAD_OUTGOING",
    ];

    [Fact]
    public async Task Add_returns_an_integer_id_and_get_returns_string_values_in_documented_order()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add",
            """{"NAME":"Corp IMAP","SERVER":"IMAP.Corp.Example","PORT":993,"ENCRYPTION":"Y","LINK":"https://mail.corp.example/"}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(JsonValueKind.Number, response.Result.ValueKind);
        var id = response.Result.GetInt64();

        var row = await Server.GetServiceAsync(id);
        Assert.Equal(ReadKeys, row.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id.ToString(), row.GetProperty("ID").GetString());
        Assert.Equal("s1", row.GetProperty("SITE_ID").GetString());
        Assert.Equal("Y", row.GetProperty("ACTIVE").GetString());
        Assert.Equal("100", row.GetProperty("SORT").GetString());
        Assert.Equal("Corp IMAP", row.GetProperty("NAME").GetString());
        Assert.Equal("imap.corp.example", row.GetProperty("SERVER").GetString());
        Assert.Equal("993", row.GetProperty("PORT").GetString());
        Assert.Equal("Y", row.GetProperty("ENCRYPTION").GetString());
        Assert.Equal("https://mail.corp.example/", row.GetProperty("LINK").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("ICON").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("SMTP_SERVER").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("SMTP_PORT").ValueKind);
        Assert.Equal("N", row.GetProperty("SMTP_LOGIN_AS_IMAP").GetString());
        Assert.Equal("N", row.GetProperty("SMTP_PASSWORD_AS_IMAP").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("SMTP_ENCRYPTION").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("UPLOAD_OUTGOING").ValueKind);
    }

    [Fact]
    public async Task Add_with_only_a_name_applies_the_defaults()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Only name", SITE_ID = "zz", ID = 5 });
        var row = await Server.GetServiceAsync(id);
        Assert.Equal("Y", row.GetProperty("ACTIVE").GetString());
        Assert.Equal("100", row.GetProperty("SORT").GetString());
        Assert.Equal("N", row.GetProperty("ENCRYPTION").GetString());
        Assert.Equal("", row.GetProperty("SERVER").GetString());
        Assert.Equal("s1", row.GetProperty("SITE_ID").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("PORT").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("LINK").ValueKind);
        Assert.NotEqual(5, id);
    }

    [Theory]
    [InlineData("true", "Y")]
    [InlineData("false", "N")]
    [InlineData("1", "Y")]
    [InlineData("0", "N")]
    [InlineData("\"y\"", "Y")]
    [InlineData("\"n\"", "N")]
    [InlineData("\"true\"", "Y")]
    [InlineData("\"false\"", "N")]
    [InlineData("\"0\"", "N")]
    [InlineData("\"1\"", "Y")]
    public async Task Yes_no_fields_accept_every_documented_spelling(string json, string stored)
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add", $$"""{"NAME":"yn","ACTIVE":{{json}},"ENCRYPTION":{{json}}}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var row = await Server.GetServiceAsync(response.Result.GetInt64());
        Assert.Equal(stored, row.GetProperty("ACTIVE").GetString());
        Assert.Equal(stored, row.GetProperty("ENCRYPTION").GetString());
    }

    [Theory]
    [InlineData("\"yes\"", "Activity")]
    [InlineData("2", "Activity")]
    [InlineData("[\"Y\"]", "Activity")]
    [InlineData("{\"a\":1}", "Activity")]
    [InlineData("1.5", "Activity")]
    public async Task An_invalid_yes_no_value_names_the_field_label(string json, string label)
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add", $$"""{"NAME":"bad","ACTIVE":{{json}}}""");
        AssertCoreError(response, $"Invalid value for \"{label}\"");
    }

    [Theory]
    [InlineData("\"PORT\":0", "Port")]
    [InlineData("\"PORT\":65536", "Port")]
    [InlineData("\"PORT\":-1", "Port")]
    [InlineData("\"PORT\":\"99a\"", "Port")]
    [InlineData("\"PORT\":99.5", "Port")]
    [InlineData("\"PORT\":true", "Port")]
    [InlineData("\"PORT\":[993]", "Port")]
    [InlineData("\"SORT\":-1", "Sorting")]
    [InlineData("\"SORT\":2147483648", "Sorting")]
    [InlineData("\"SORT\":\"ten\"", "Sorting")]
    [InlineData("\"ENCRYPTION\":\"maybe\"", "Secure Connection")]
    [InlineData("\"LINK\":{\"x\":1}", "Web Interface Address")]
    [InlineData("\"LINK\":[\"https://a.example/\"]", "Web Interface Address")]
    [InlineData("\"LINK\":\"https://a.example/\\u0000\"", "Web Interface Address")]
    [InlineData("\"SERVER\":[\"a\"]", "Server Address")]
    [InlineData("\"SERVER\":\"imap\\u0000.example\"", "Server Address")]
    [InlineData("\"NAME\":[\"a\"]", "Name")]
    [InlineData("\"NAME\":{\"a\":\"b\"}", "Name")]
    [InlineData("\"NAME\":\"a\\u0000b\"", "Name")]
    [InlineData("\"ICON\":true", "Logo")]
    [InlineData("\"ICON\":-3", "Logo")]
    public async Task Invalid_field_values_get_the_documented_message(string field, string label)
    {
        var body = field.StartsWith("\"NAME\"") ? "{" + field + "}" : "{\"NAME\":\"x\"," + field + "}";
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add", body);
        AssertCoreError(response, $"Invalid value for \"{label}\"");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"NAME\":\"\"}")]
    [InlineData("{\"NAME\":\"   \"}")]
    [InlineData("{\"NAME\":null}")]
    [InlineData("{\"name\":\"lower-case key is not NAME\"}")]
    public async Task Add_without_a_name_is_refused(string body)
    {
        AssertCoreError(await Server.PostJsonAsync(Server.Webhook + "mailservice.add", body), "Required field \"Name\" not filled");
    }

    [Fact]
    public async Task Several_field_errors_are_joined_in_field_order()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add", """{"SORT":"x","PORT":0,"ACTIVE":"maybe"}""");
        AssertCoreError(response, "Invalid value for \"Activity\"; Required field \"Name\" not filled; Invalid value for \"Port\"; Invalid value for \"Sorting\"");
    }

    /// <summary>
    /// NAME, SERVER and LINK are free text as on a real portal (docs/decisions.md #27): what a portal's own list shows must
    /// go back in through add, as a migration script does, and come out as it went in.
    /// </summary>
    [Theory]
    [InlineData("LINK", "mail.example.com", "mail.example.com")]
    [InlineData("LINK", "javascript:alert(1)", "javascript:alert(1)")]
    [InlineData("LINK", " https://mail.example.com/?q=a b ", " https://mail.example.com/?q=a b ")]
    [InlineData("SERVER", "imap example.com", "imap example.com")]
    [InlineData("SERVER", " IMAP.Example.COM\t", "imap.example.com")]
    [InlineData("SERVER", "user@IMAP.example/inbox", "user@imap.example/inbox")]
    [InlineData("NAME", "Tab\tin name", "Tab\tin name")]
    [InlineData("NAME", "  padded  ", "  padded  ")]
    [InlineData("NAME", "Line\nbreak <b>", "Line\nbreak <b>")]
    public async Task Free_text_fields_are_stored_as_sent(string field, string sent, string stored)
    {
        var fields = new Dictionary<string, object> { ["NAME"] = "free text", [field] = sent };
        var id = await Server.AddServiceAsync(fields);
        Assert.Equal(stored, (await Server.GetServiceAsync(id)).GetProperty(field).GetString());

        var other = field == "NAME" ? "renamed" : "x";
        var update = await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new Dictionary<string, object> { ["ID"] = id, [field] = other });
        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal(other, (await Server.GetServiceAsync(id)).GetProperty(field).GetString());
        var back = await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new Dictionary<string, object> { ["ID"] = id, [field] = sent });
        Assert.Equal(HttpStatusCode.OK, back.Status);
        Assert.Equal(stored, (await Server.GetServiceAsync(id)).GetProperty(field).GetString());
    }

    [Theory]
    [InlineData("NAME", "Name")]
    [InlineData("SERVER", "Server Address")]
    [InlineData("LINK", "Web Interface Address")]
    public async Task Free_text_fields_take_255_characters_and_no_more(string field, string label)
    {
        // 255 characters, one of them outside the BMP (two UTF-16 units): the column counts characters.
        var longest = "\U0001F4E7" + new string('a', 254);
        var fields = new Dictionary<string, object> { ["NAME"] = "n", [field] = longest };
        var id = await Server.AddServiceAsync(fields);
        var expected = field == "SERVER" ? longest.ToLowerInvariant() : longest;
        Assert.Equal(expected, (await Server.GetServiceAsync(id)).GetProperty(field).GetString());

        fields[field] = longest + "a";
        AssertCoreError(await Server.PostJsonAsync(Server.Webhook + "mailservice.add", fields), $"Invalid value for \"{label}\"");
        var update = await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new Dictionary<string, object> { ["ID"] = id, [field] = longest + "a" });
        AssertCoreError(update, $"Invalid value for \"{label}\"");
        Assert.Equal(expected, (await Server.GetServiceAsync(id)).GetProperty(field).GetString());
    }

    [Fact]
    public async Task A_real_portals_list_copied_into_add_is_accepted_whole()
    {
        // Rows as a real portal's mailservice.list gives them: every value a string, LINK without a scheme,
        // SERVER with a space, a NAME with a tab; a migration script posts each back as it is.
        var rows = new[]
        {
            new Dictionary<string, object?> { ["ID"] = "7", ["SITE_ID"] = "s1", ["ACTIVE"] = "Y", ["SORT"] = "100", ["NAME"] = "Corp\tMail", ["SERVER"] = "imap corp", ["PORT"] = "993", ["ENCRYPTION"] = "Y", ["LINK"] = "mail.corp.example", ["ICON"] = null },
            new Dictionary<string, object?> { ["ID"] = "8", ["SITE_ID"] = "s1", ["ACTIVE"] = "N", ["SORT"] = "0", ["NAME"] = "Legacy", ["SERVER"] = "", ["PORT"] = null, ["ENCRYPTION"] = "N", ["LINK"] = null, ["ICON"] = null },
        };
        foreach (var row in rows)
        {
            var id = await Server.AddServiceAsync(row);
            var stored = await Server.GetServiceAsync(id);
            foreach (var field in new[] { "ACTIVE", "SORT", "NAME", "SERVER", "PORT", "ENCRYPTION", "LINK" })
            {
                Assert.Equal(row[field] is string text ? text : null, stored.GetProperty(field).ValueKind == JsonValueKind.Null ? null : stored.GetProperty(field).GetString());
            }
        }
    }

    [Fact]
    public async Task Server_is_trimmed_and_lower_cased()
    {
        var id = await Server.AddServiceAsync(new { NAME = "case", SERVER = "  IMAP.Example.COM " });
        Assert.Equal("imap.example.com", (await Server.GetServiceAsync(id)).GetProperty("SERVER").GetString());
        await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new { ID = id, SERVER = "MAIL.Other.ORG" });
        Assert.Equal("mail.other.org", (await Server.GetServiceAsync(id)).GetProperty("SERVER").GetString());
    }

    [Fact]
    public async Task Update_is_partial_and_returns_true()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Partial", SERVER = "imap.p.example", PORT = 993, ENCRYPTION = "Y", LINK = "https://p.example/", SORT = 300 });
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new { ID = id, PORT = "143", ENCRYPTION = false });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(JsonValueKind.True, response.Result.ValueKind);
        var row = await Server.GetServiceAsync(id);
        Assert.Equal("143", row.GetProperty("PORT").GetString());
        Assert.Equal("N", row.GetProperty("ENCRYPTION").GetString());
        Assert.Equal("Partial", row.GetProperty("NAME").GetString());
        Assert.Equal("imap.p.example", row.GetProperty("SERVER").GetString());
        Assert.Equal("https://p.example/", row.GetProperty("LINK").GetString());
        Assert.Equal("300", row.GetProperty("SORT").GetString());
    }

    [Fact]
    public async Task Update_with_only_the_id_succeeds_and_changes_nothing()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Untouched", SORT = 7 });
        var before = (await Server.GetServiceAsync(id)).GetRawText();
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new { ID = id });
        Assert.Equal(JsonValueKind.True, response.Result.ValueKind);
        Assert.Equal(before, (await Server.GetServiceAsync(id)).GetRawText());
    }

    [Fact]
    public async Task Update_can_set_sort_to_zero_and_deactivate_with_false()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Zero" });
        await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new { ID = id, SORT = 0, ACTIVE = false });
        var row = await Server.GetServiceAsync(id);
        Assert.Equal("0", row.GetProperty("SORT").GetString());
        Assert.Equal("N", row.GetProperty("ACTIVE").GetString());
    }

    [Fact]
    public async Task Update_with_an_invalid_value_changes_nothing()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Keep", PORT = 993 });
        var before = (await Server.GetServiceAsync(id)).GetRawText();
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new { ID = id, NAME = "Changed", PORT = 70000 });
        AssertCoreError(response, "Invalid value for \"Port\"");
        Assert.Equal(before, (await Server.GetServiceAsync(id)).GetRawText());
    }

    [Fact]
    public async Task Update_with_empty_link_port_or_icon_clears_them()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Clear", PORT = 993, LINK = "https://c.example/" });
        Assert.Equal(HttpStatusCode.OK, (await Server.PostFormAsync(Server.Webhook + "mailservice.update", $"ID={id}&LINK=&PORT=&ICON=")).Status);
        var row = await Server.GetServiceAsync(id);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("LINK").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("PORT").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("ICON").ValueKind);
    }

    [Fact]
    public async Task Update_with_an_empty_name_is_refused()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Named" });
        AssertCoreError(await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new { ID = id, NAME = "" }), "Required field \"Name\" not filled");
    }

    [Theory]
    [InlineData("mailservice.get")]
    [InlineData("mailservice.update")]
    [InlineData("mailservice.delete")]
    public async Task A_missing_or_malformed_id_is_not_specified(string method)
    {
        foreach (var body in new[] { "{}", "{\"ID\":0}", "{\"ID\":\"\"}", "{\"ID\":\"abc\"}", "{\"ID\":-4}", "{\"ID\":[1]}", "{\"id\":1}", "{\"ID\":null}" })
        {
            AssertCoreError(await Server.PostJsonAsync(Server.Webhook + method, body), "Mail service ID not specified");
        }
    }

    [Theory]
    [InlineData("mailservice.get")]
    [InlineData("mailservice.update")]
    [InlineData("mailservice.delete")]
    public async Task An_unknown_id_is_not_found(string method)
    {
        AssertCoreError(await Server.PostJsonAsync(Server.Webhook + method, "{\"ID\":987654321}"), "Mail service not found");
        AssertCoreError(await Server.PostJsonAsync(Server.Webhook + method, "{\"ID\":\"99999999999999999999999\"}"), "Mail service not found");
    }

    [Fact]
    public async Task Not_found_comes_before_field_validation()
    {
        AssertCoreError(await Server.PostJsonAsync(Server.Webhook + "mailservice.update", "{\"ID\":987654321,\"PORT\":0}"), "Mail service not found");
    }

    [Fact]
    public async Task Get_finds_inactive_services_and_list_leaves_them_out()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Sleeping", ACTIVE = "N" });
        Assert.Equal("N", (await Server.GetServiceAsync(id)).GetProperty("ACTIVE").GetString());
        var list = await Server.GetAsync(Server.Webhook + "mailservice.list");
        Assert.DoesNotContain(list.Result.EnumerateArray(), r => r.GetProperty("ID").GetString() == id.ToString());
    }

    [Fact]
    public async Task Delete_removes_the_service_and_returns_true()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Doomed" });
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.delete", new { ID = id });
        Assert.Equal(JsonValueKind.True, response.Result.ValueKind);
        AssertCoreError(await Server.GetAsync(Server.Webhook + "mailservice.get?ID=" + id), "Mail service not found");
        AssertCoreError(await Server.PostJsonAsync(Server.Webhook + "mailservice.delete", new { ID = id }), "Mail service not found");
    }

    [Fact]
    public async Task Fields_returns_the_ten_labels_in_order()
    {
        var response = await Server.GetAsync(Server.Webhook + "mailservice.fields");
        Assert.Equal(
            """{"ID":"ID","SITE_ID":"Site","ACTIVE":"Activity","NAME":"Name","SERVER":"Server Address","PORT":"Port","ENCRYPTION":"Secure Connection","LINK":"Web Interface Address","ICON":"Logo","SORT":"Sorting"}""",
            response.Result.GetRawText());
    }

    [Fact]
    public async Task Unknown_parameters_and_sdk_telemetry_are_ignored()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add?bx24_request_id=abc&bx24_sdk_ver=2.2.0", """{"NAME":"Telemetry","FOO":"bar","SMTP_SERVER":"smtp.x"}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var row = await Server.GetServiceAsync(response.Result.GetInt64());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("SMTP_SERVER").ValueKind);
    }

    [Fact]
    public async Task Text_fields_over_255_characters_are_refused()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add", new { NAME = new string('n', 256), SERVER = new string('s', 256) });
        AssertCoreError(response, "Invalid value for \"Name\"; Invalid value for \"Server Address\"");
        Assert.Equal(HttpStatusCode.OK, (await Server.PostJsonAsync(Server.Webhook + "mailservice.add", new { NAME = new string('n', 255) })).Status);
    }

    [Fact]
    public async Task Non_ascii_names_round_trip()
    {
        var id = await Server.AddServiceAsync(new { NAME = "Почта «Тест» \"q\" <b> & 日本" });
        Assert.Equal("Почта «Тест» \"q\" <b> & 日本", (await Server.GetServiceAsync(id)).GetProperty("NAME").GetString());
    }

    internal static void AssertCoreError(RestResponse response, string description)
    {
        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{response.Status}: {response.Raw}");
        Assert.Equal("ERROR_CORE", response.Error);
        Assert.Equal(description, response.ErrorDescription);
        Assert.False(response.Json.TryGetProperty("time", out _));
        Assert.False(response.Json.TryGetProperty("result", out _));
    }
}
