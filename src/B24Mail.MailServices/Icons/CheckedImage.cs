namespace B24Mail.MailServices.Icons;

public sealed record CheckedImage(string ContentType, string Extension, int Width, int Height);
