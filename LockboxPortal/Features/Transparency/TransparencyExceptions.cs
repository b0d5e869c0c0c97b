namespace LockboxPortal.Features.Transparency;

/// <summary>Reports are only taken under a grant that opened: a pending, rejected or cancelled request has no window to act in.</summary>
public sealed class GrantNotOpenedException()
    : LockboxRuleException("This request never opened a grant, so nothing can have been done under it.")
{
    public override string Code => "grant-not-opened";
}

/// <summary>A report names a time outside the grant's window (give or take the clock-skew allowance), or in the future.</summary>
public sealed class ActivityOutsideWindowException(int index, DateTimeOffset at, DateTimeOffset from, DateTimeOffset until)
    : LockboxRuleException($"Report {index} is at {at:O}, outside the grant's window ({from:O} to {until:O}, with {TransparencyService.ClockSkew.TotalMinutes:0} minutes' allowance for clocks, and never ahead of now). Nothing was stored.")
{
    public override string Code => "activity-outside-window";
}

/// <summary>A report names a resource the grant does not cover.</summary>
public sealed class ActivityOutsideScopeException(int index, string resource, string scope)
    : LockboxRuleException($"Report {index} names {resource}, which the grant's scope {scope} does not cover. Nothing was stored.")
{
    public override string Code => "activity-outside-scope";
}
