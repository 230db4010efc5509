// The industry starter templates shipped with Escra (NDA, freelance services, sale of goods). Fixed ids so seeding
// is idempotent; they have no owner and everyone can instantiate them.
import type { TemplateVariable } from "./templates";

export interface StarterTemplate {
  id: string;
  name: string;
  description: string;
  category: string;
  contractType: string;
  body: string;
  variables: TemplateVariable[];
}

export const STARTER_TEMPLATES: readonly StarterTemplate[] = [
  {
    id: "tpl_StarterNDA0000000000",
    name: "Mutual non-disclosure agreement",
    description: "Both parties keep each other's confidential information secret.",
    category: "legal",
    contractType: "nda",
    variables: [
      { name: "disclosingParty", label: "First party", required: true },
      { name: "receivingParty", label: "Second party", required: true },
      { name: "purpose", label: "Purpose of the disclosure", required: true },
      { name: "termMonths", label: "Confidentiality term (months)", default: "24" },
      { name: "governingLaw", label: "Governing law", default: "the Federal Republic of Nigeria" },
    ],
    body: [
      "MUTUAL NON-DISCLOSURE AGREEMENT",
      "",
      'This agreement is made between {{disclosingParty}} and {{receivingParty}} (each a "Party").',
      "",
      "1. Purpose. The Parties wish to exchange confidential information for the purpose of {{purpose}}.",
      "2. Confidentiality. Each Party shall keep the other's confidential information secret, use it only for the Purpose, and disclose it only to those who need to know it and are bound by equivalent duties.",
      "3. Exclusions. Information that is public, already known, independently developed or lawfully received from a third party is not confidential.",
      "4. Term. These obligations last {{termMonths}} months from the date of the last signature.",
      "5. Return. On request, each Party shall return or destroy the other's confidential information.",
      "6. Law. This agreement is governed by the laws of {{governingLaw}}.",
    ].join("\n"),
  },
  {
    id: "tpl_StarterFreelance0000",
    name: "Freelance services agreement",
    description: "A client engages a freelancer for defined deliverables, fee and schedule.",
    category: "services",
    contractType: "services",
    variables: [
      { name: "clientName", label: "Client", required: true },
      { name: "freelancerName", label: "Freelancer", required: true },
      { name: "services", label: "Services and deliverables", required: true },
      { name: "fee", label: "Fee (with currency)", required: true },
      { name: "deadline", label: "Delivery date", required: true },
      { name: "paymentTermsDays", label: "Payment terms (days)", default: "14" },
    ],
    body: [
      "FREELANCE SERVICES AGREEMENT",
      "",
      "Client: {{clientName}}",
      "Freelancer: {{freelancerName}}",
      "",
      "1. Services. The Freelancer shall provide: {{services}}.",
      "2. Delivery. Deliverables are due by {{deadline}}.",
      "3. Fee. The Client shall pay {{fee}} within {{paymentTermsDays}} days of accepting the deliverables.",
      "4. Ownership. On full payment, the rights in the deliverables pass to the Client.",
      "5. Independence. The Freelancer is an independent contractor, not an employee.",
      "6. Termination. Either party may end this agreement with written notice; work accepted before then is paid.",
    ].join("\n"),
  },
  {
    id: "tpl_StarterSaleOfGoods00",
    name: "Sale of goods agreement",
    description: "A seller sells described goods to a buyer at a price, with delivery and inspection terms.",
    category: "commerce",
    contractType: "sale",
    variables: [
      { name: "sellerName", label: "Seller", required: true },
      { name: "buyerName", label: "Buyer", required: true },
      { name: "goods", label: "Description of the goods", required: true },
      { name: "price", label: "Price (with currency)", required: true },
      { name: "deliveryAddress", label: "Delivery address", required: true },
      { name: "inspectionDays", label: "Inspection period (days)", default: "3" },
    ],
    body: [
      "SALE OF GOODS AGREEMENT",
      "",
      "Seller: {{sellerName}}",
      "Buyer: {{buyerName}}",
      "",
      "1. Goods. The Seller sells and the Buyer buys: {{goods}}.",
      "2. Price. The price is {{price}}, held in escrow until the Buyer accepts the goods.",
      "3. Delivery. The Seller delivers the goods to {{deliveryAddress}}.",
      "4. Inspection. The Buyer may inspect the goods for {{inspectionDays}} days after delivery and accept or reject them.",
      "5. Title and risk. Title and risk pass to the Buyer on acceptance.",
      "6. Warranty. The Seller warrants that it owns the goods and that they match the description.",
    ].join("\n"),
  },
  {
    id: "tpl_StarterEscrowSale000",
    name: "Escrow sale agreement",
    description:
      "The agreement behind an Escra escrow: price held in escrow, commission, payout, inspection and disputes.",
    category: "commerce",
    contractType: "sale",
    // Filled by src/domain/escrow-contract.ts from the escrow's own terms; amounts arrive formatted (₦150,000.00).
    variables: [
      { name: "sellerName", label: "Seller", required: true },
      { name: "sellerEmail", label: "Seller's email", required: true },
      { name: "buyerName", label: "Buyer", required: true },
      { name: "buyerEmail", label: "Buyer's email", required: true },
      { name: "goods", label: "What is sold", required: true },
      { name: "price", label: "Price", required: true },
      { name: "commissionRate", label: "Commission rate", required: true },
      { name: "commission", label: "Commission", required: true },
      { name: "sellerPayout", label: "Seller payout", required: true },
      { name: "inspectionPeriod", label: "Inspection period", required: true },
    ],
    body: [
      "ESCROW SALE AGREEMENT",
      "",
      "Seller: {{sellerName}} <{{sellerEmail}}>",
      "Buyer: {{buyerName}} <{{buyerEmail}}>",
      "",
      "1. What is sold. The Seller sells and the Buyer buys: {{goods}}.",
      "2. Price. The price is {{price}}. The Buyer pays it into escrow held by Escra; none of it is released to the " +
        "Seller before the Buyer accepts or the inspection period ends.",
      "3. Commission and payout. Escra's commission is {{commissionRate}} of the price, {{commission}}, paid by the " +
        "Seller out of the price. On release the Seller's payout is {{sellerPayout}}.",
      "4. Delivery. The Seller delivers through Escra: the Seller stores the credentials or delivery details with " +
        "Escra, encrypted, and the Buyer reveals them once both parties have signed this agreement and the price is " +
        "held in escrow.",
      "5. Inspection period. The Buyer has {{inspectionPeriod}} from the reveal to inspect what was delivered and " +
        "either accept it or open a dispute. If the Buyer does neither within that time, the delivery counts as " +
        "accepted and the funds are released to the Seller.",
      "6. Disputes. Either party may open a dispute, stating the reason, before the funds are released. The funds " +
        "then stay in escrow until an Escra administrator, having heard both parties, releases them to the Seller or " +
        "refunds the Buyer; that decision ends the escrow.",
      "7. Refund. If the Seller does not deliver, or a dispute is decided for the Buyer, the Buyer is refunded the " +
        "full price and no commission is due.",
      "8. Signatures. The parties sign electronically; Escra records each signature and anchors the document's hash.",
    ].join("\n"),
  },
];
