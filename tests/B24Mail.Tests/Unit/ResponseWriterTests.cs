using System.Text;
using System.Xml.Linq;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Transport;
using B24Mail.Rest.Values;

namespace B24Mail.Tests.Unit;

/// <summary>XML transport (docs/protocol.md §3.4).</summary>
public class ResponseWriterTests
{
    private sealed class Record(string id) : IPhpSerializable
    {
        public PhpArray ToPhp() => PhpArray.From(("ID", id), ("ACTIVE", "Y"));
    }

    private static string Xml(PhpArray body) => Encoding.UTF8.GetString(ResponseWriter.XmlBody(body));

    /// <summary>The document without its declaration line, with empty elements written as &lt;x&gt;&lt;/x&gt; whatever the writer chose.</summary>
    private static string Body(PhpArray body)
    {
        var text = Xml(body);
        Assert.StartsWith("<?xml version=\"1.0\"", text);
        var newline = text.IndexOf('\n');
        Assert.True(newline > 0, "declaration must be on its own line");
        var declaration = text[..newline];
        Assert.EndsWith("?>", declaration);
        return System.Text.RegularExpressions.Regex.Replace(text[(newline + 1)..], "<([A-Za-z_][\\w.\\-]*) ?/>", "<$1></$1>");
    }

    [Fact]
    public void Root_is_response_and_document_parses()
    {
        var doc = XDocument.Parse(Xml(PhpArray.From(("result", "ok"))));
        Assert.NotNull(doc.Root);
        Assert.Equal("response", doc.Root.Name.LocalName);
        Assert.Equal("ok", doc.Root.Element("result")?.Value);
    }

    [Fact]
    public void Empty_body_is_empty_response()
    {
        Assert.Equal("<response></response>", Body(new PhpArray()));
    }

    [Fact]
    public void Keys_become_elements_in_order()
    {
        var body = PhpArray.From(("result", PhpArray.From(("ID", "31"), ("NAME", "Gmail"))), ("time", PhpArray.From(("start", 1.5))));
        Assert.Equal("<response><result><ID>31</ID><NAME>Gmail</NAME></result><time><start>1.5</start></time></response>", Body(body));
    }

    [Fact]
    public void Numeric_keys_become_item()
    {
        var body = PhpArray.From(("result", PhpArray.List(new object?[] { "a", "b", PhpArray.From(("ID", "1")) })));
        Assert.Equal("<response><result><item>a</item><item>b</item><item><ID>1</ID></item></result></response>", Body(body));
    }

    [Fact]
    public void Non_sequential_numeric_keys_also_become_item()
    {
        var body = PhpArray.From(("result", PhpArray.From(("0", "a"), ("5", "b"), ("-1", "c"))));
        Assert.Equal("<response><result><item>a</item><item>b</item><item>c</item></result></response>", Body(body));
    }

    [Fact]
    public void True_is_one_false_and_null_are_empty()
    {
        var body = PhpArray.From(("t", true), ("f", false), ("n", null), ("e", ""));
        Assert.Equal("<response><t>1</t><f></f><n></n><e></e></response>", Body(body));
    }

    [Fact]
    public void Numbers()
    {
        var body = PhpArray.From(("l", 31L), ("neg", -7L), ("d", 1774005930.256403), ("h", 0.5));
        Assert.Equal("<response><l>31</l><neg>-7</neg><d>1774005930.256403</d><h>0.5</h></response>", Body(body));
    }

    [Fact]
    public void Text_is_escaped()
    {
        var text = "a<b> & \"c\" 'd' </result>";
        var xml = Xml(PhpArray.From(("result", text)));
        Assert.Contains("&lt;b&gt;", xml);
        Assert.Contains("&amp;", xml);
        Assert.DoesNotContain("<b>", xml);
        Assert.DoesNotContain(" & ", xml);
        var doc = XDocument.Parse(xml);
        Assert.Equal(text, doc.Root?.Element("result")?.Value);
    }

    [Fact]
    public void Non_ascii_text_round_trips_as_utf8()
    {
        var xml = Xml(PhpArray.From(("NAME", "Почта 😀")));
        var doc = XDocument.Parse(xml);
        Assert.Equal("Почта 😀", doc.Root?.Element("NAME")?.Value);
    }

    [Fact]
    public void Characters_invalid_in_xml_are_removed()
    {
        var body = PhpArray.From(("s", "a\u0001b\u0000c\u001Fd\te"));
        Assert.Equal("<response><s>abcd\te</s></response>", Body(body));
    }

    [Fact]
    public void Keys_that_are_not_xml_names_become_item()
    {
        var body = PhpArray.From((">ID", "1"), ("a b", "2"), ("1x", "3"), ("ok_NAME-1.x", "4"));
        Assert.Equal("<response><item>1</item><item>2</item><item>3</item><ok_NAME-1.x>4</ok_NAME-1.x></response>", Body(body));
    }

    [Fact]
    public void Empty_key_becomes_item_instead_of_throwing()
    {
        // A JSON body can carry an empty key ({"": ...}); writing it must not crash the XML transport.
        var body = PhpArray.From(("result", PhpArray.From(("", "x"), ("ID", "1"))));
        Assert.Equal("<response><result><item>x</item><ID>1</ID></result></response>", Body(body));
    }

    [Fact]
    public void IPhpSerializable_writes_its_fields()
    {
        var body = PhpArray.From(("result", PhpArray.List(new object?[] { new Record("1"), new Record("2") })));
        Assert.Equal(
            "<response><result><item><ID>1</ID><ACTIVE>Y</ACTIVE></item><item><ID>2</ID><ACTIVE>Y</ACTIVE></item></result></response>",
            Body(body));
    }

    [Fact]
    public void Plain_sequences_become_items()
    {
        var body = PhpArray.From(("result", new List<object?> { "a", 2L, true }));
        Assert.Equal("<response><result><item>a</item><item>2</item><item>1</item></result></response>", Body(body));
    }

    [Fact]
    public void Empty_nested_array_is_empty_element()
    {
        var body = PhpArray.From(("result", new PhpArray()), ("total", 0L));
        Assert.Equal("<response><result></result><total>0</total></response>", Body(body));
    }

    [Fact]
    public void Error_body_in_xml()
    {
        var body = ResponseWriter.ErrorBody(new RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404));
        Assert.Equal(
            "<response><error>ERROR_METHOD_NOT_FOUND</error><error_description>Method not found!</error_description></response>",
            Body(body));
    }

    [Fact]
    public void Error_body_shape()
    {
        var body = ResponseWriter.ErrorBody(new RestError("ERROR_CORE", "Access denied", 400));
        Assert.Equal(new[] { "error", "error_description" }, body.Keys);
        Assert.Equal("ERROR_CORE", body["error"]);
        Assert.Equal("Access denied", body["error_description"]);
    }
}
