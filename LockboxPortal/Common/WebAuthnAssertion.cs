using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LockboxPortal.Common;

/// <summary>
/// A WebAuthn assertion (what <c>navigator.credentials.get()</c> answers, W3C WebAuthn level 3 section 7.2) in the
/// parts a signed decision keeps: the credential id, the authenticator data, the client data JSON and the signature,
/// each as the authenticator produced them.
/// </summary>
public sealed record WebAuthnAssertion(byte[] CredentialId, byte[] AuthenticatorData, byte[] ClientDataJson, byte[] Signature)
{
    /// <summary>COSE algorithm numbers (RFC 9053): ECDSA P-256 with SHA-256, RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    public const int Es256 = -7;
    public const int Rs256 = -257;

    /// <summary>The JSON of a <c>PublicKeyCredential</c> (its <c>toJSON()</c>); null when it is not one.</summary>
    public static WebAuthnAssertion? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json.Length > 16_384)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var response = root.GetProperty("response");
            return new WebAuthnAssertion(
                Base64Url.DecodeFromChars(root.GetProperty("rawId").GetString()),
                Base64Url.DecodeFromChars(response.GetProperty("authenticatorData").GetString()),
                Base64Url.DecodeFromChars(response.GetProperty("clientDataJSON").GetString()),
                Base64Url.DecodeFromChars(response.GetProperty("signature").GetString()));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks the assertion (WebAuthn section 7.2, steps 11–21 that concern a stored credential): the client data says
    /// <c>webauthn.get</c>, carries <paramref name="challenge"/> and comes from <paramref name="origin"/> (not from a
    /// frame of another site); the authenticator data names <paramref name="rpId"/> (its SHA-256) and says the user
    /// was present and verified; and the signature over authenticator data || SHA-256(client data JSON) verifies with
    /// the public key (<paramref name="subjectPublicKeyInfo"/>, DER) and <paramref name="algorithm"/>.
    /// Returns null when it holds, otherwise what failed.
    /// </summary>
    public string? Verify(byte[] subjectPublicKeyInfo, int algorithm, ReadOnlySpan<byte> challenge, string origin, string rpId)
    {
        string type, sentChallenge, sentOrigin;
        bool crossOrigin;
        try
        {
            using var client = JsonDocument.Parse(ClientDataJson);
            var root = client.RootElement;
            type = root.GetProperty("type").GetString() ?? "";
            sentChallenge = root.GetProperty("challenge").GetString() ?? "";
            sentOrigin = root.GetProperty("origin").GetString() ?? "";
            crossOrigin = root.TryGetProperty("crossOrigin", out var cross) && cross.ValueKind == JsonValueKind.True;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "the client data is not WebAuthn's JSON";
        }

        if (type != "webauthn.get")
        {
            return $"the client data's type is \"{type}\", not webauthn.get";
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sentChallenge), Encoding.ASCII.GetBytes(Base64Url.EncodeToString(challenge))))
        {
            return "the challenge signed is not this decision's";
        }

        if (!string.Equals(sentOrigin, origin, StringComparison.OrdinalIgnoreCase) || crossOrigin)
        {
            return $"signed on {sentOrigin}, not on {origin}";
        }

        // rpIdHash (32 bytes), flags (1), signCount (4).
        if (AuthenticatorData.Length < 37)
        {
            return "the authenticator data is too short";
        }

        if (!AuthenticatorData.AsSpan(0, 32).SequenceEqual(SHA256.HashData(Encoding.UTF8.GetBytes(rpId))))
        {
            return $"the authenticator data names another relying party than {rpId}";
        }

        const byte userPresent = 0x01, userVerified = 0x04;
        if ((AuthenticatorData[32] & (userPresent | userVerified)) != (userPresent | userVerified))
        {
            return "the authenticator did not verify the user";
        }

        var signed = SignedBytes();
        try
        {
            var valid = algorithm switch
            {
                Es256 => VerifyEcdsa(subjectPublicKeyInfo, signed),
                Rs256 => VerifyRsa(subjectPublicKeyInfo, signed),
                _ => throw new CryptographicException($"algorithm {algorithm} is not ES256 or RS256"),
            };
            return valid ? null : "the signature does not verify with the approver's passkey";
        }
        catch (CryptographicException ex)
        {
            return "the public key or signature is unusable: " + ex.Message;
        }
    }

    /// <summary>What the authenticator signs: authenticator data || SHA-256(client data JSON).</summary>
    public byte[] SignedBytes() => [.. AuthenticatorData, .. SHA256.HashData(ClientDataJson)];

    /// <summary>
    /// A credential public key as WebAuthn gives it (a COSE_Key, RFC 9052 section 7: EC2 P-256 or RSA) as
    /// SubjectPublicKeyInfo DER, which openssl and every crypto library read, with its COSE algorithm.
    /// </summary>
    public static (byte[] SubjectPublicKeyInfo, int Algorithm) FromCoseKey(byte[] coseKey)
    {
        var reader = new CborReader(coseKey);
        var fields = new Dictionary<int, object>();
        var count = reader.ReadStartMap() ?? throw new CryptographicException("The COSE key has no length.");
        for (var i = 0; i < count; i++)
        {
            var label = reader.ReadInt32();
            fields[label] = reader.PeekState() switch
            {
                CborReaderState.ByteString => reader.ReadByteString(),
                CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => reader.ReadInt32(),
                _ => SkipValue(reader),
            };
        }

        int Int(int label) => fields.TryGetValue(label, out var v) && v is int n ? n : throw new CryptographicException($"The COSE key lacks {label}.");
        byte[] Bytes(int label) => fields.TryGetValue(label, out var v) && v is byte[] b ? b : throw new CryptographicException($"The COSE key lacks {label}.");

        const int kty = 1, alg = 3, ec2 = 2, rsa = 3, p256 = 1;
        switch (Int(kty))
        {
            case ec2 when Int(-1) == p256:
                using (var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = Bytes(-2), Y = Bytes(-3) } }))
                {
                    return (key.ExportSubjectPublicKeyInfo(), fields.ContainsKey(alg) ? Int(alg) : Es256);
                }

            case rsa:
                using (var key = RSA.Create(new RSAParameters { Modulus = Bytes(-1), Exponent = Bytes(-2) }))
                {
                    return (key.ExportSubjectPublicKeyInfo(), fields.ContainsKey(alg) ? Int(alg) : Rs256);
                }

            default:
                throw new CryptographicException("The passkey's key is neither an EC P-256 nor an RSA key.");
        }
    }

    /// <summary>As <see cref="FromCoseKey"/>; null for a key of another kind (e.g. Ed25519) or one that does not parse.</summary>
    public static (byte[] SubjectPublicKeyInfo, int Algorithm)? TryFromCoseKey(byte[] coseKey)
    {
        try
        {
            return FromCoseKey(coseKey);
        }
        catch (Exception ex) when (ex is CryptographicException or CborContentException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }

    private static object SkipValue(CborReader reader)
    {
        reader.SkipValue();
        return new object();
    }

    private bool VerifyEcdsa(byte[] spki, byte[] signed)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(spki, out _);
        return key.VerifyData(signed, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    private bool VerifyRsa(byte[] spki, byte[] signed)
    {
        using var key = RSA.Create();
        key.ImportSubjectPublicKeyInfo(spki, out _);
        return key.VerifyData(signed, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
