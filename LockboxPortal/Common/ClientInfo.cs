namespace LockboxPortal.Common;

/// <summary>
/// Where an operation came from, when known; <see cref="Origin"/> is the portal's address as the browser reached it
/// (scheme and host), which a passkey assertion made on the portal's page names.
/// </summary>
public sealed record ClientInfo(string? Address, string? UserAgent, string? Origin = null);
