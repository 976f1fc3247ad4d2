using B24Mail.MailServices;
using B24Mail.Rest.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Tests.Unit;

/// <summary>
/// A row written straight to JSON (<see cref="MailService.WriteJson"/>) is byte for byte the row written through its
/// PHP array (<see cref="MailService.ToPhp"/>), which XML and batch references still use: the two must not drift.
/// </summary>
public class MailServiceJsonTests
{
    private static readonly string[] Texts =
    [
        "", " ", "plain", "quote \" back \\ slash /", "<b>&'</b>", "tab\tnew\nline\r", "\u0001\u001f\u007f", "\u2028\u2029",
        "ñ Почта 日本", "😀 𝄞", "+%20 ?a=b&c=d#x", new string('é', 700),
    ];

    private static IEnumerable<MailService> Services()
    {
        var random = new Random(15);
        long[] numbers = [0, 1, -1, 42, long.MaxValue, long.MinValue, 9_007_199_254_740_993, int.MaxValue];
        for (var i = 0; i < 400; i++)
        {
            string Text() => Texts[random.Next(Texts.Length)];
            string? Nullable() => random.Next(4) == 0 ? null : Text();
            bool? Flag() => random.Next(3) switch { 0 => null, 1 => true, _ => false };
            long Number() => numbers[random.Next(numbers.Length)];
            var icon = random.Next(3) == 0 ? null : new IconRef(Number() is var id && id > 0 ? id : 7, 1, "0123456789abcdef0123456789abcdef", Text() + ".png");
            yield return new MailService(Number(), Text(), random.Next(2) == 0, Number(), Text(), Text(), random.Next(3) == 0 ? null : Number(),
                random.Next(2) == 0, Nullable(), icon, Nullable(), random.Next(3) == 0 ? null : Number(), random.Next(2) == 0, random.Next(2) == 0, Flag(), Flag());
        }
    }

    [Theory]
    [InlineData("https://b24.example")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("https://почта.example:8443/base path")]
    public void A_row_written_directly_is_the_row_written_through_its_array(string baseUrl)
    {
        foreach (var service in Services())
        {
            var expected = PhpJsonWriter.ToJson(service.ToPhp(baseUrl));
            Assert.Equal(expected, PhpJsonWriter.ToJson(new MailServiceRow(service, baseUrl)));
        }
    }

    [Fact]
    public void A_list_written_directly_is_the_list_written_through_its_arrays()
    {
        var services = Services().ToList();
        const string baseUrl = "https://b24.example";
        var expected = PhpJsonWriter.ToJson(PhpArray.List(services.Select(s => (object?)s.ToPhp(baseUrl))));
        var list = new MailServiceList(services, baseUrl);
        Assert.Equal(expected, PhpJsonWriter.ToJson(list));
        // Through the envelope, as the server writes an answer.
        Assert.Equal("{\"result\":" + expected + "}", PhpJsonWriter.ToJson(PhpArray.From(("result", list))));
        Assert.Equal(expected, PhpJsonWriter.ToJson(list.ToPhp()));
    }

    [Fact]
    public void An_icon_url_written_directly_is_the_one_get_returns()
    {
        foreach (var name in Texts)
        {
            var icon = new IconRef(long.MaxValue, 1, "fedcba9876543210fedcba9876543210", name);
            var expected = PhpJsonWriter.ToJson(IconUrls.For("https://b24.example", icon));
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                IconUrls.Write(writer, "https://b24.example", icon);
            }
            Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }
}
