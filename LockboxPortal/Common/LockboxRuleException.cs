namespace LockboxPortal.Common;

/// <summary>A rule of the lockbox refused an operation. The message is safe to show to the person acting.</summary>
public abstract class LockboxRuleException(string message) : Exception(message)
{
    /// <summary>A stable, machine-readable name for the refusal (used as the problem type in the API).</summary>
    public abstract string Code { get; }
}
