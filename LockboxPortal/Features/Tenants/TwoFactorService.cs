using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

/// <summary>Where a person stands with their authenticator app.</summary>
public sealed record TwoFactorStatus(bool Enabled, int RecoveryCodesLeft);

/// <summary>One of a person's passkeys as their page lists it; <see cref="Id"/> is the credential id, base64url.</summary>
public sealed record PasskeyRow(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>What an authenticator app needs to enrol: the key as text and as an <c>otpauth://</c> link for a QR code.</summary>
public sealed record AuthenticatorSetup(string SharedKey, string AuthenticatorUri);

/// <summary>
/// Each person's own second factor: an authenticator app (TOTP, RFC 6238, through Identity's authenticator provider)
/// and one-time recovery codes. Every change is one transaction with its audit entry, in the chain of every
/// organisation the person belongs to, as sign-ins are. Recovery codes are shown once and kept only as hashes.
/// </summary>
public sealed class TwoFactorService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    UserManager<PortalUser> users,
    LockboxDbContext identityContext,
    OperationGate gate,
    AuditWriter audit,
    DirectoryNotifier directory,
    TimeProvider time)
{
    public const int RecoveryCodeCount = 10;
    private const string Issuer = "LockboxPortal";
    private const string Subject = "User";
    private const string CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<TwoFactorStatus> StatusAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var person = await PersonAsync(principal, cancellationToken);
        return new TwoFactorStatus(person.TwoFactorEnabled, person.TwoFactorEnabled ? await users.CountRecoveryCodesAsync(person) : 0);
    }

    /// <summary>
    /// The key to enrol with. A key is made the first time and kept until enrolment or a reset, so a page reload
    /// shows the same key the app may already hold. Once two-factor is on, the key is never shown again.
    /// </summary>
    public async Task<AuthenticatorSetup> AuthenticatorSetupAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var person = await PersonAsync(principal, cancellationToken);
        if (person.TwoFactorEnabled)
        {
            throw InvalidInputException.For("Code", "Two-factor sign-in is already on. Reset it to enrol a new authenticator.");
        }

        var key = await users.GetAuthenticatorKeyAsync(person);
        if (string.IsNullOrEmpty(key))
        {
            await transactions.RunAsync(async db =>
            {
                var tracked = await db.Users.SingleAsync(u => u.Id == person.Id, cancellationToken);
                await Store(db).SetAuthenticatorKeyAsync(tracked, users.GenerateNewAuthenticatorKey(), cancellationToken);
            }, cancellationToken);
            key = await users.GetAuthenticatorKeyAsync(await PersonAsync(principal, cancellationToken));
        }

        var account = Uri.EscapeDataString(person.Email ?? person.UserName ?? person.Id);
        var uri = $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{account}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";
        return new AuthenticatorSetup(FormatKey(key!), uri);
    }

    /// <summary>Turns two-factor on once the person proves their app makes the right codes; returns the recovery codes, shown once.</summary>
    public async Task<IReadOnlyList<string>> EnableAsync(ClaimsPrincipal principal, string? code, CancellationToken cancellationToken = default)
    {
        var person = await PersonAsync(principal, cancellationToken);
        if (person.TwoFactorEnabled)
        {
            throw InvalidInputException.For("Code", "Two-factor sign-in is already on.");
        }

        if (string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(person)))
        {
            throw InvalidInputException.For("Code", "Open the two-factor page first to get a key for your authenticator app.");
        }

        if (!await IsAuthenticatorCodeAsync(person, code))
        {
            throw InvalidInputException.For("Code", "That code is not right. Enter the 6-digit code your authenticator app shows now.");
        }

        var codes = NewRecoveryCodes();
        await ChangeAsync(principal, AuditEventType.TwoFactor_Enabled, async (db, tracked) =>
        {
            await Store(db).SetTwoFactorEnabledAsync(tracked, true, cancellationToken);
            await Store(db).ReplaceCodesAsync(tracked, codes, cancellationToken);
            return new { Method = "authenticator", RecoveryCodes = codes.Count };
        }, cancellationToken);
        return codes;
    }

    /// <summary>New recovery codes replace the old ones, which stop working.</summary>
    public async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var codes = NewRecoveryCodes();
        await ChangeAsync(principal, AuditEventType.TwoFactor_RecoveryCodesReplaced, async (db, tracked) =>
        {
            if (!tracked.TwoFactorEnabled)
            {
                throw InvalidInputException.For("Code", "Turn two-factor sign-in on first.");
            }

            await Store(db).ReplaceCodesAsync(tracked, codes, cancellationToken);
            return new { RecoveryCodes = codes.Count };
        }, cancellationToken);
        return codes;
    }

    /// <summary>
    /// Turns two-factor off and replaces the key and the recovery codes (a lost phone): the old app's codes stop
    /// working and the person enrols again. The security stamp changes, so the person's other sessions end within a minute.
    /// </summary>
    public Task ResetAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        ChangeAsync(principal, AuditEventType.TwoFactor_Reset, async (db, tracked) =>
        {
            var store = Store(db);
            await store.SetTwoFactorEnabledAsync(tracked, false, cancellationToken);
            await store.SetAuthenticatorKeyAsync(tracked, users.GenerateNewAuthenticatorKey(), cancellationToken);
            await store.ReplaceCodesAsync(tracked, [], cancellationToken);
            AccountRules.ChangeSecurityStamp(tracked);
            return new { };
        }, cancellationToken);

    public const int PasskeyNameMaxLength = 60;

    /// <summary>The person's passkeys, oldest first.</summary>
    public async Task<IReadOnlyList<PasskeyRow>> PasskeysAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var person = await PersonAsync(principal, cancellationToken);
        return (await users.GetPasskeysAsync(person))
            .OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeyRow(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(p.CredentialId), p.Name ?? "Passkey", p.CreatedAt))
            .ToList();
    }

    /// <summary>Keeps a passkey whose registration Identity verified (attestation), under the name the person gave it.</summary>
    public Task AddPasskeyAsync(ClaimsPrincipal principal, UserPasskeyInfo passkey, string? name, CancellationToken cancellationToken = default)
    {
        passkey.Name = PasskeyName(name);
        return ChangeAsync(principal, AuditEventType.Passkey_Added, async (db, tracked) =>
        {
            await Store(db).AddOrUpdatePasskeyAsync(tracked, passkey, cancellationToken);

            // The public key goes into the trail, under its hash chain and signed checkpoints: decisions signed with this
            // passkey are checked against this record, which nobody rewrites unseen, not against the passkey table.
            // A key of a kind decisions cannot be signed with (e.g. Ed25519) still signs in; it is recorded without a key.
            var key = WebAuthnAssertion.TryFromCoseKey(passkey.PublicKey);
            return new
            {
                Passkey = passkey.Name,
                CredentialId = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(passkey.CredentialId),
                PublicKey = key is { } known ? System.Buffers.Text.Base64Url.EncodeToString(known.SubjectPublicKeyInfo) : null,
                Algorithm = key?.Algorithm,
            };
        }, cancellationToken);
    }

    public Task RenamePasskeyAsync(ClaimsPrincipal principal, string id, string? name, CancellationToken cancellationToken = default) =>
        ChangeAsync(principal, AuditEventType.Passkey_Renamed, async (db, tracked) =>
        {
            var store = Store(db);
            var passkey = await store.FindPasskeyAsync(tracked, CredentialId(id), cancellationToken) ?? throw new NotFoundException("passkey");
            var before = passkey.Name;
            passkey.Name = PasskeyName(name);
            await store.AddOrUpdatePasskeyAsync(tracked, passkey, cancellationToken);
            return new { Before = before, Passkey = passkey.Name, CredentialId = id };
        }, cancellationToken);

    public Task RemovePasskeyAsync(ClaimsPrincipal principal, string id, CancellationToken cancellationToken = default) =>
        ChangeAsync(principal, AuditEventType.Passkey_Removed, async (db, tracked) =>
        {
            var store = Store(db);
            var passkey = await store.FindPasskeyAsync(tracked, CredentialId(id), cancellationToken) ?? throw new NotFoundException("passkey");
            await store.RemovePasskeyAsync(tracked, passkey.CredentialId, cancellationToken);
            return new { Passkey = passkey.Name, CredentialId = id };
        }, cancellationToken);

    private static string PasskeyName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > PasskeyNameMaxLength)
        {
            throw InvalidInputException.For("Name", $"Name the passkey (1 to {PasskeyNameMaxLength} characters), e.g. \"work laptop\".");
        }

        return trimmed;
    }

    private static byte[] CredentialId(string id)
    {
        try
        {
            return Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(id);
        }
        catch (FormatException)
        {
            throw new NotFoundException("passkey");
        }
    }

    private async Task<bool> IsAuthenticatorCodeAsync(PortalUser person, string? code)
    {
        var digits = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 6 && await users.VerifyTwoFactorTokenAsync(person, users.Options.Tokens.AuthenticatorTokenProvider, digits);
    }

    /// <summary>
    /// One change of the person's factors with its audit entries; after the commit the directory hears it, since
    /// whether an approver can decide where the tenant requires a second factor may have changed (QuorumWatch).
    /// </summary>
    private async Task ChangeAsync(
        ClaimsPrincipal principal, AuditEventType type, Func<LockboxDbContext, PortalUser, Task<object>> change, CancellationToken cancellationToken)
    {
        var userId = await transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            var tracked = await db.Users.SingleAsync(u => u.Id == user.UserId, cancellationToken);
            var details = await change(db, tracked);
            IEnumerable<Guid?> chains = user.Memberships.IsProviderStaff ? [null, .. user.Memberships.Tenants.Cast<Guid?>()] : user.Memberships.Tenants.Cast<Guid?>();
            foreach (var chain in chains.DefaultIfEmpty(null))
            {
                await audit.AppendAsync(db, new AuditRecord(type, user.Actor, chain, Subject, user.UserId, AuditRecord.Details(details), Client: user.Client), cancellationToken);
            }

            return user.UserId;
        }, cancellationToken);
        await directory.PublishAsync(new DirectoryChange(userId, time.GetUtcNow()));
    }

    private async Task<PortalUser> PersonAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);

        // Identity reads through the scope's context, which still tracks what it read before this operation's own
        // transaction changed the person; forget that, so the key and the flag are read as stored now.
        identityContext.ChangeTracker.Clear();
        return await users.FindByIdAsync(user.UserId) ?? throw new ForbiddenException("Your account is not active.");
    }

    /// <summary>The store over the operation's own context, so the change is saved with its audit entry or not at all.</summary>
    private static LockboxUserStore Store(LockboxDbContext db) => new(db) { AutoSaveChanges = false };

    private static List<string> NewRecoveryCodes() =>
        Enumerable.Range(0, RecoveryCodeCount)
            .Select(_ => RandomNumberGenerator.GetString(CodeAlphabet, 10))
            .Select(c => $"{c[..5]}-{c[5..]}")
            .ToList();

    /// <summary>Groups of four, lower case, as authenticator apps show keys typed by hand.</summary>
    private static string FormatKey(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            text.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return text.ToString().TrimEnd().ToLowerInvariant();
    }
}
