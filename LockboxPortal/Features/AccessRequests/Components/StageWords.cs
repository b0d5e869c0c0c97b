namespace LockboxPortal.Features.AccessRequests.Components;

/// <summary>What the queues call saying no at each stage: the provider's manager denies, the customer rejects.</summary>
public static class StageWords
{
    public static string RefuseVerb(DecisionStage stage) => stage == DecisionStage.Internal ? "Deny" : "Reject";

    /// <summary>The past tense, spelled out: "deny" does not take a plain "-ed".</summary>
    public static string Refused(DecisionStage stage) => stage == DecisionStage.Internal ? "denied" : "rejected";
}
