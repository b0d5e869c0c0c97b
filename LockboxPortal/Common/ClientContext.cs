namespace LockboxPortal.Common;

/// <summary>
/// Where the current scope's operations come from: the HTTP request's, or the Blazor circuit's connection. Scoped, so
/// one per request and one per circuit; null outside both (the timer, the console).
/// </summary>
public sealed class ClientContext
{
    public ClientInfo? Current { get; set; }
}
