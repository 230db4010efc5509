// Where a listing's proof files live in R2 (DOCUMENTS): one object per proof, under the listing.
export const proofKey = (listingId: string, proofId: string) => `listings/${listingId}/proofs/${proofId}`;
