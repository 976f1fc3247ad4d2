using System.Buffers;
using System.Text;
using System.Xml;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Json;
using B24Mail.Rest.Values;
using Microsoft.AspNetCore.Http;

namespace B24Mail.Rest.Transport;

/// <summary>Writes the envelope: <c>result</c> [+ <c>signature</c>] + <c>time</c>, or <c>error</c> + <c>error_description</c>.</summary>
public static class ResponseWriter
{
    public static PhpArray Envelope(RestOutcome outcome)
    {
        if (outcome.Error is { } error) return ErrorBody(error);
        var envelope = new PhpArray();
        envelope.Set("result", outcome.Result);
        if (outcome.Signature is { } signature) envelope.Set("signature", signature);
        envelope.Set("time", outcome.Time);
        return envelope;
    }

    public static PhpArray ErrorBody(RestError error) => PhpArray.From(("error", error.Code), ("error_description", error.Description));

    public static Task WriteAsync(HttpResponse response, RestOutcome outcome, ResponseFormat format, RestExchange? exchange = null)
    {
        response.StatusCode = outcome.Error?.Status ?? StatusCodes.Status200OK;
        return WriteBodyAsync(response, Envelope(outcome), format, exchange);
    }

    public static Task WriteErrorAsync(HttpResponse response, RestError error, ResponseFormat format, RestExchange? exchange = null)
    {
        response.StatusCode = error.Status;
        return WriteBodyAsync(response, ErrorBody(error), format, exchange);
    }

    // One buffer per thread: the body is built in it, then copied into the response pipe before any
    // await, so the next request on this thread can reuse it. Past the cap its array goes back to the pool
    // (a big list's answer borrows a pooled array, rather than allocating a large one, each time).
    [ThreadStatic]
    private static PooledBufferWriter? t_buffer;
    private const int KeepBufferUpTo = 64 * 1024;

    private static Task WriteBodyAsync(HttpResponse response, PhpArray body, ResponseFormat format, RestExchange? exchange)
    {
        if (format == ResponseFormat.Xml)
        {
            response.ContentType = "text/xml; charset=utf-8";
            var bytes = XmlBody(body);
            response.ContentLength = bytes.Length;
            exchange?.KeepBody(bytes);
            return response.Body.WriteAsync(bytes).AsTask();
        }
        response.ContentType = "application/json; charset=utf-8";
        var buffer = t_buffer ??= new PooledBufferWriter(4096);
        try
        {
            PhpJsonWriter.Write(buffer, body);
            response.ContentLength = buffer.WrittenCount;
            response.BodyWriter.Write(buffer.WrittenSpan);
            exchange?.KeepBody(buffer.WrittenSpan);
        }
        finally
        {
            buffer.Reset(KeepBufferUpTo);
        }
        return response.BodyWriter.FlushAsync().AsTask();
    }

    /// <summary>The real server's XML: every key an element under <c>response</c>, numeric keys as <c>item</c>, true as 1, false and null empty.</summary>
    public static byte[] XmlBody(PhpArray body)
    {
        var text = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, ConformanceLevel = ConformanceLevel.Fragment, CheckCharacters = false };
        using (var writer = XmlWriter.Create(text, settings))
        {
            writer.WriteStartElement("response");
            WriteXmlChildren(writer, body);
            writer.WriteEndElement();
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void WriteXmlChildren(XmlWriter writer, PhpArray array)
    {
        foreach (var (key, value) in array)
        {
            writer.WriteStartElement(ElementName(key));
            WriteXmlValue(writer, value);
            writer.WriteEndElement();
        }
    }

    private static void WriteXmlValue(XmlWriter writer, object? value)
    {
        switch (value)
        {
            case null or false:
                break;
            case true:
                writer.WriteString("1");
                break;
            case PhpArray array:
                WriteXmlChildren(writer, array);
                break;
            case IPhpSerializable custom:
                WriteXmlChildren(writer, custom.ToPhp());
                break;
            case string s:
                writer.WriteString(StripInvalidXml(s));
                break;
            case System.Collections.IEnumerable sequence:
                foreach (var item in sequence)
                {
                    writer.WriteStartElement("item");
                    WriteXmlValue(writer, item);
                    writer.WriteEndElement();
                }
                break;
            case double d:
                writer.WriteString(d.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteString(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string ElementName(string key)
    {
        try
        {
            // An NCName: a name with ':' is a qualified name, and its prefix would need a namespace.
            return key.Length == 0 ? "item" : XmlConvert.VerifyNCName(key);
        }
        catch (XmlException)
        {
            return "item";
        }
    }

    private static string StripInvalidXml(string s)
    {
        foreach (var c in s)
        {
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c)) return new string(s.Where(ch => XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch)).ToArray());
        }
        return s;
    }
}
