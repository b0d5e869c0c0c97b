
namespace LockboxPortal.Common;

/// <summary>The person acting may not do this. The refusal is audited before this is thrown.</summary>
public sealed class ForbiddenException(string message = "You are not allowed to do that.") : LockboxRuleException(message)
{
    public override string Code => "forbidden";
}

/// <summary>
/// There is nothing here for this person: it does not exist, or it belongs to a tenant they cannot see.
/// The two are deliberately indistinguishable, so a guessed id reveals nothing.
/// </summary>
public sealed class NotFoundException(string what = "request") : LockboxRuleException($"No such {what}.")
{
    public override string Code => "not-found";
}

/// <summary>
/// The tenant requires two-factor sign-in for this, and the person signed in without a second factor (or through an
/// API token, which carries none).
/// </summary>
public sealed class SecondFactorRequiredException()
    : LockboxRuleException("This tenant requires two-factor sign-in to decide, revoke, change its policy or delegate. Set it up at "
        + EnrolPath + " (Your profile > Two-factor sign-in), then sign out and sign in again with your authenticator code.")
{
    /// <summary>The page where a person enrols an authenticator app.</summary>
    public const string EnrolPath = "/account/two-factor";

    public override string Code => "second-factor-required";
}

/// <summary>Somebody else changed the same thing at the same moment and theirs took effect.</summary>
public sealed class ConcurrentChangeException()
    : LockboxRuleException("Someone else changed this at the same moment; reload and try again.")
{
    public override string Code => "concurrent-change";
}
