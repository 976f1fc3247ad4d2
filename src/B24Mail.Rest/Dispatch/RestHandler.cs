namespace B24Mail.Rest.Dispatch;

public delegate ValueTask<object?> RestHandler(RestContext context);
