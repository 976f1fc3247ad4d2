using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace B24Mail.Tests.EndToEnd;

/// <summary>ICON in every input form (docs/decisions.md #13), served where get and list say (docs/decisions.md #14), with no orphaned files.</summary>
public sealed class IconTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LiveServer Server => fixture.Server;

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);

    private string IconFolder => Path.Combine(Server.DataDir, "portals", "1", "icons");

    private int IconFileCount => Directory.Exists(IconFolder) ? Directory.GetFiles(IconFolder).Length : 0;

    [Fact]
    public async Task A_name_and_base64_pair_is_stored_and_served()
    {
        var png = Images.Png();
        var id = await Server.AddServiceAsync(new { NAME = "With logo", ICON = new[] { "logo.png", B64(png) } });
        var url = (await Server.GetServiceAsync(id)).GetProperty("ICON").GetString()!;
        Assert.StartsWith(Server.HttpsBase + "/upload/mailservice/icon/", url);
        Assert.EndsWith("/logo.png", url);

        var served = await Server.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Every_input_form_is_accepted()
    {
        var jpeg = Images.Jpeg();
        var viaFileData = await Server.AddServiceAsync(new { NAME = "fileData", ICON = new { fileData = new[] { "photo.jpeg", B64(jpeg) } } });
        var viaBare = await Server.AddServiceAsync(new { NAME = "bare", ICON = B64(Images.Webp()) });
        var viaGif = await Server.AddServiceAsync(new { NAME = "gif", ICON = new[] { "anim.gif", B64(Images.Gif()) } });

        using var multipart = new MultipartFormDataContent();
        multipart.Add(new StringContent("multipart"), "NAME");
        var file = new ByteArrayContent(Images.Png());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        multipart.Add(file, "ICON", "upload.png");
        var viaMultipart = await Server.PostMultipartAsync(Server.Webhook + "mailservice.add", multipart);
        Assert.Equal(HttpStatusCode.OK, viaMultipart.Status);

        var urlencoded = await Server.PostFormAsync(Server.Webhook + "mailservice.add", "NAME=form&ICON%5B0%5D=form.png&ICON%5B1%5D=" + Uri.EscapeDataString(B64(Images.Png())));
        Assert.Equal(HttpStatusCode.OK, urlencoded.Status);

        var expected = new (long Id, string Type, string Suffix)[]
        {
            (viaFileData, "image/jpeg", "/photo.jpg"),
            (viaBare, "image/webp", ".webp"),
            (viaGif, "image/gif", "/anim.gif"),
            (viaMultipart.Result.GetInt64(), "image/png", "/upload.png"),
            (urlencoded.Result.GetInt64(), "image/png", "/form.png"),
        };
        foreach (var (id, type, suffix) in expected)
        {
            var url = (await Server.GetServiceAsync(id)).GetProperty("ICON").GetString()!;
            Assert.EndsWith(suffix, url);
            var served = await Server.Client.GetAsync(url);
            Assert.Equal(type, served.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task An_existing_file_id_is_reused_and_an_unknown_one_refused()
    {
        var first = await Server.AddServiceAsync(new { NAME = "owner", ICON = new[] { "shared.png", B64(Images.Png()) } });
        var url = (await Server.GetServiceAsync(first)).GetProperty("ICON").GetString()!;
        var fileId = await FileIdOfAsync(first);

        var second = await Server.AddServiceAsync(new { NAME = "reuser", ICON = fileId });
        Assert.Equal(url, (await Server.GetServiceAsync(second)).GetProperty("ICON").GetString());
        var third = await Server.AddServiceAsync(new { NAME = "reuser as string", ICON = fileId.ToString() });
        Assert.Equal(url, (await Server.GetServiceAsync(third)).GetProperty("ICON").GetString());

        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(Server.Webhook + "mailservice.add", new { NAME = "x", ICON = 987654 }), "Invalid value for \"Logo\"");
        MailServiceMethodTests.AssertCoreError(await Server.PostJsonAsync(Server.Webhook + "mailservice.add", new { NAME = "x", ICON = "12" + new string('9', 30) }), "Invalid value for \"Logo\"");
    }

    [Fact]
    public async Task A_shared_icon_file_lives_until_its_last_service_lets_go()
    {
        var first = await Server.AddServiceAsync(new { NAME = "a", ICON = new[] { "s.png", B64(Images.Png()) } });
        var url = (await Server.GetServiceAsync(first)).GetProperty("ICON").GetString()!;
        var second = await Server.AddServiceAsync(new { NAME = "b", ICON = await FileIdOfAsync(first) });

        await Server.PostJsonAsync(Server.Webhook + "mailservice.delete", new { ID = first });
        Assert.Equal(HttpStatusCode.OK, (await Server.Client.GetAsync(url)).StatusCode);
        await Server.PostJsonAsync(Server.Webhook + "mailservice.delete", new { ID = second });
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Client.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Replacing_or_removing_an_icon_deletes_the_old_file()
    {
        var id = await Server.AddServiceAsync(new { NAME = "replace", ICON = new[] { "one.png", B64(Images.Png()) } });
        var oldUrl = (await Server.GetServiceAsync(id)).GetProperty("ICON").GetString()!;
        var oldFile = Path.Combine(IconFolder, new Uri(oldUrl).Segments[^2].TrimEnd('/'));
        Assert.True(File.Exists(oldFile));

        Assert.Equal(HttpStatusCode.OK, (await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new { ID = id, ICON = new[] { "two.png", B64(Images.Png(16, 16)) } })).Status);
        var newUrl = (await Server.GetServiceAsync(id)).GetProperty("ICON").GetString()!;
        Assert.NotEqual(oldUrl, newUrl);
        Assert.False(File.Exists(oldFile));
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Client.GetAsync(oldUrl)).StatusCode);

        var newFile = Path.Combine(IconFolder, new Uri(newUrl).Segments[^2].TrimEnd('/'));
        Assert.Equal(HttpStatusCode.OK, (await Server.PostJsonAsync(Server.Webhook + "mailservice.update", new { ID = id, ICON = "" })).Status);
        Assert.Equal(JsonValueKind.Null, (await Server.GetServiceAsync(id)).GetProperty("ICON").ValueKind);
        Assert.False(File.Exists(newFile));
    }

    [Fact]
    public async Task Deleting_a_service_deletes_its_icon_file()
    {
        var id = await Server.AddServiceAsync(new { NAME = "delete me", ICON = new[] { "gone.png", B64(Images.Png()) } });
        var url = (await Server.GetServiceAsync(id)).GetProperty("ICON").GetString()!;
        var file = Path.Combine(IconFolder, new Uri(url).Segments[^2].TrimEnd('/'));
        Assert.True(File.Exists(file));
        await Server.PostJsonAsync(Server.Webhook + "mailservice.delete", new { ID = id });
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Refused_icons_leave_no_file_and_no_row()
    {
        var svgBase64 = B64(System.Text.Encoding.UTF8.GetBytes(Images.SvgWithScript));
        var before = IconFileCount;
        var bad = new object[]
        {
            new[] { "evil.svg", svgBase64 },
            svgBase64,
            new[] { "fake.png", B64(System.Text.Encoding.UTF8.GetBytes("this is not an image")) },
            new[] { "broken.png", "!!!not base64@@@" },
            "iVBORw0KGgo=====",
            new[] { "truncated.png", B64(Images.Png()[..30]) },
            new[] { "only-one-element" },
            new[] { "a", "b", "c" },
            new { fileData = "not-a-pair" },
            new[] { "big.png", B64(new byte[1024 * 1024 + 1]) },
        };
        foreach (var icon in bad)
        {
            var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add", new { NAME = "bad icon", ICON = icon });
            MailServiceMethodTests.AssertCoreError(response, "Invalid value for \"Logo\"");
        }
        Assert.Equal(before, IconFileCount);
    }

    [Fact]
    public async Task An_image_larger_than_the_dimension_limit_is_refused()
    {
        var response = await Server.PostJsonAsync(Server.Webhook + "mailservice.add", new { NAME = "huge", ICON = new[] { "huge.png", B64(Images.Png(3000, 10)) } });
        MailServiceMethodTests.AssertCoreError(response, "Invalid value for \"Logo\"");
    }

    [Fact]
    public async Task A_client_file_name_cannot_escape_the_icon_folder()
    {
        var id = await Server.AddServiceAsync(new { NAME = "traversal", ICON = new[] { "../../../etc/pass wd<script>.png", B64(Images.Png()) } });
        var url = (await Server.GetServiceAsync(id)).GetProperty("ICON").GetString()!;
        Assert.EndsWith("/pass_wd_script.png", url);
    }

    [Theory]
    [InlineData("/upload/mailservice/icon/1/00000000000000000000000000000000/x.png")]
    [InlineData("/upload/mailservice/icon/1/..%2F..%2Fb24mail.db/x.png")]
    [InlineData("/upload/mailservice/icon/abc/00000000000000000000000000000000/x.png")]
    public async Task Unknown_icon_urls_are_404(string path)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Client.GetAsync(Server.HttpsBase + path)).StatusCode);
    }

    /// <summary>The file ID a client would pass as ICON, read from the icon URL as a client would.</summary>
    private async Task<long> FileIdOfAsync(long serviceId)
    {
        var url = new Uri((await Server.GetServiceAsync(serviceId)).GetProperty("ICON").GetString()!);
        return long.Parse(url.Segments[^3].TrimEnd('/'));
    }
}
