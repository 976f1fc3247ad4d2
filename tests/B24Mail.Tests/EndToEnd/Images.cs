using SkiaSharp;

namespace B24Mail.Tests.EndToEnd;

/// <summary>Real image files for icon tests, encoded on the fly.</summary>
public static class Images
{
    public static byte[] Png(int width = 8, int height = 8) => Encode(SKEncodedImageFormat.Png, width, height);

    public static byte[] Jpeg(int width = 8, int height = 8) => Encode(SKEncodedImageFormat.Jpeg, width, height);

    public static byte[] Webp(int width = 8, int height = 8) => Encode(SKEncodedImageFormat.Webp, width, height);

    /// <summary>A 1x1 GIF89a, written out by hand since Skia does not encode GIF.</summary>
    public static byte[] Gif() => Convert.FromBase64String("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==");

    public static string SvgWithScript => "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(document.cookie)</script><rect width=\"10\" height=\"10\"/></svg>";

    private static byte[] Encode(SKEncodedImageFormat format, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor(200, 30, 30));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
