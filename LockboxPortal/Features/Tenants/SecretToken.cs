using System.Security.Cryptography;
using System.Text;

namespace LockboxPortal.Features.Tenants;

/// <summary>
/// One-time link tokens (invitations, first-start setup). Only the SHA-256 of a token is stored, so a copy of
/// the database opens nothing; comparisons run in constant time, so timing reveals nothing either.
/// </summary>
public static class SecretToken
{
    /// <summary>A new random token (256 bits, URL-safe) and the hash to store.</summary>
    public static (string Token, string Hash) Create()
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (token, Hash(token));
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool Matches(string storedHash, string? token) =>
        token is { Length: > 0 and <= 200 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(storedHash), Encoding.ASCII.GetBytes(Hash(token)));
}
