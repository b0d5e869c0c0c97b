using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Identity;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// A passkey in software, for service tests: a P-256 key pair that answers WebAuthn request options as an authenticator
/// does (authenticator data with the relying party's hash and the user present and verified flags, client data JSON,
/// an ES256 signature over both), registered through the portal's own passkey service so the trail records its key.
/// </summary>
public sealed class SoftwarePasskey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private uint _counter;

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);

    /// <summary>Registers this passkey for the person as the passkey page would, once Identity checked the attestation.</summary>
    public Task RegisterAsync(TwoFactorService accounts, ClaimsPrincipal principal, DateTimeOffset now, string name = "test key") =>
        accounts.AddPasskeyAsync(principal, new UserPasskeyInfo(CredentialId, CoseKey(), now, 0, ["internal"], true, false, false, [], []), name);

    /// <summary>The JSON of <c>navigator.credentials.get()</c> for these options (as the portal serialises them), made on <paramref name="origin"/>.</summary>
    public string Sign(string optionsJson, string origin)
    {
        using var options = JsonDocument.Parse(optionsJson);
        var challenge = options.RootElement.GetProperty("challenge").GetString()!;
        var rpId = options.RootElement.GetProperty("rpId").GetString()!;
        return Sign(Base64Url.DecodeFromChars(challenge), rpId, origin);
    }

    public string Sign(byte[] challenge, string rpId, string origin)
    {
        var authenticatorData = new byte[37];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId)).CopyTo(authenticatorData, 0);
        authenticatorData[32] = 0x05;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(authenticatorData.AsSpan(33), ++_counter);
        var clientData = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "webauthn.get",
            ["challenge"] = Base64Url.EncodeToString(challenge),
            ["origin"] = origin,
            ["crossOrigin"] = false,
        }));
        var signature = _key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var id = Base64Url.EncodeToString(CredentialId);
        return JsonSerializer.Serialize(new
        {
            id,
            rawId = id,
            type = "public-key",
            response = new
            {
                authenticatorData = Base64Url.EncodeToString(authenticatorData),
                clientDataJSON = Base64Url.EncodeToString(clientData),
                signature = Base64Url.EncodeToString(signature),
            },
        });
    }

    /// <summary>The public key as SubjectPublicKeyInfo DER.</summary>
    public byte[] PublicKey() => _key.ExportSubjectPublicKeyInfo();

    public void Dispose() => _key.Dispose();

    private byte[] CoseKey()
    {
        var point = _key.ExportParameters(false).Q;
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(5);
        writer.WriteInt32(1);
        writer.WriteInt32(2);
        writer.WriteInt32(3);
        writer.WriteInt32(-7);
        writer.WriteInt32(-1);
        writer.WriteInt32(1);
        writer.WriteInt32(-2);
        writer.WriteByteString(point.X!);
        writer.WriteInt32(-3);
        writer.WriteByteString(point.Y!);
        writer.WriteEndMap();
        return writer.Encode();
    }
}
