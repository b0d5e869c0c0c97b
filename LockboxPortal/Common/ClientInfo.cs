namespace LockboxPortal.Common;

/// <summary>Where an operation came from, when known.</summary>
public sealed record ClientInfo(string? Address, string? UserAgent);
