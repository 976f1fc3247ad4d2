namespace B24Mail.Rest.Transport;

public enum ResponseFormat
{
    Json,
    Xml,
}
